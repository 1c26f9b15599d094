"""``privacy="strict"``: no sample string fewer than five rows share is stored in the model or written."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import synthframe as sf
from synthframe.errors import SchemaError
from synthframe.examples import example_samples_dir, example_schema_path


@pytest.fixture(scope="module")
def samples() -> dict[str, pd.DataFrame]:
    return sf.read_samples(example_samples_dir(), sf.Schema.from_json(example_schema_path()))


def _rare_strings(model: sf.Model, samples: dict[str, pd.DataFrame]) -> dict[str, list[str]]:
    """Sample strings of the non-category columns that fewer than five rows share, per table.column."""
    out = {}
    for table, frame in samples.items():
        for column, cm in model.tables[table].columns.items():
            if cm.type not in ("string", "category") or cm.generator.get("kind") == "frequencies":
                continue
            counts = frame[column].dropna().astype(str).value_counts()
            out[f"{table}.{column}"] = list(counts[counts < 5].index)
    return out


def test_strict_stores_and_writes_no_rare_sample_string(samples):
    model = sf.fit(example_schema_path(), example_samples_dir(), privacy="strict")
    stored = model.to_json()
    rare = _rare_strings(model, samples)
    assert sum(len(v) for v in rare.values()) > 100  # product names, review sentences, cities, ...
    for where, values in rare.items():
        for value in values:
            assert json.dumps(value) not in stored and json.dumps(value, ensure_ascii=False) not in stored, where
    data = model.sample({"customers": 2000}, seed=1)
    for where, values in rare.items():
        table, column = where.split(".")
        assert not data[table][column].isin(values).any(), where
    assert all(tm.layout.get("privacy") == "strict" for tm in model.tables.values())
    assert sf.validate(data, model.schema).empty


def test_by_default_names_of_things_and_sentences_are_kept(samples):
    model = sf.fit(example_schema_path(), example_samples_dir())
    stored = model.to_json()
    assert json.dumps(samples["products"]["name"].iloc[0]) in stored  # a product name is not personal
    for column in ("first_name", "last_name", "email", "phone"):
        for value in samples["customers"][column].dropna():
            assert json.dumps(value) not in stored, column  # a person's values never are


def test_an_unknown_privacy_mode_is_refused():
    with pytest.raises(SchemaError, match="privacy must be one of 'default', 'strict'"):
        sf.fit(example_schema_path(), example_samples_dir(), privacy="paranoid")


def test_the_cli_fits_strictly(tmp_path):
    from click.testing import CliRunner

    from synthframe.cli import main

    result = CliRunner().invoke(main, ["fit", "--example", "ecommerce", "--privacy", "strict",
                                       "-o", str(tmp_path / "model.json")])
    assert result.exit_code == 0, result.output
    model = sf.Model.load(tmp_path / "model.json")
    assert model.tables["products"].layout["privacy"] == "strict"
    assert model.tables["products"].columns["name"].generator["text"]["kind"] == "words"
