"""The ``synthframe`` command line: every verb end to end, and every error as one line with exit code 2."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import pandas as pd
import pytest
from cli_checks import assert_cli_error
from click.testing import CliRunner, Result

import synthframe as sf
from synthframe.cli import main
from synthframe.examples import (
    RECORD_COUNTS,
    example_samples_dir,
    example_schema_path,
    load_example_request,
)

TABLES = ("customers", "products", "orders", "order_items", "reviews")
SMALL = {"customers": 60, "products": 25, "orders": 140, "order_items": 310, "reviews": 45}
"""Row counts small enough to keep each run well under a second."""


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="synthframe")


def assert_ok(result: Result) -> None:
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Traceback" not in result.output


def rows_args(counts: dict[str, int]) -> list[str]:
    return [arg for table, n in counts.items() for arg in ("--rows", f"{table}={n}")]


@pytest.fixture(scope="module")
def schema() -> sf.Schema:
    return sf.Schema.from_json(example_schema_path())


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example fitted once with `synthframe fit`, shared by the tests that sample from it."""
    path = tmp_path_factory.mktemp("model") / "model.json"
    result = run("fit", "--schema", example_schema_path(), "--samples", example_samples_dir(), "-o", path)
    assert_ok(result)
    assert f"fitted 5 tables, 39 columns -> {path}" in result.output
    return path


# -- generate -----------------------------------------------------------------------------------

def test_generate_example_writes_five_valid_csv_files_with_the_example_counts(tmp_path: Path, schema: sf.Schema):
    out = tmp_path / "out"
    result = run("generate", "--example", "ecommerce", "--out", out)
    assert_ok(result)
    assert "validated: every primary key unique" in result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.csv" for t in TABLES)
    data = sf.read_samples(out, schema)
    assert {t: len(df) for t, df in data.items()} == RECORD_COUNTS["ecommerce"]
    assert sf.validate(data, schema).empty


@pytest.mark.parametrize("fmt", ["jsonl", "json", "parquet", "csv"])
def test_generate_example_in_each_format_writes_five_files_that_validate(tmp_path: Path, schema: sf.Schema,
                                                                         fmt: str):
    out = tmp_path / "out"
    result = run("generate", "--example", "ecommerce", "--out", out, "--format", fmt, *rows_args(SMALL))
    assert_ok(result)
    assert "validated:" in result.output
    assert f"wrote {sum(SMALL.values()):,} rows" in result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.{fmt}" for t in TABLES)  # no temp files left
    data = sf.read_samples(out, schema)
    assert {t: len(df) for t, df in data.items()} == SMALL
    assert sf.validate(data, schema).empty


def test_generate_bundle_writes_one_data_json_that_validates(tmp_path: Path, schema: sf.Schema):
    out = tmp_path / "out"
    result = run("generate", "--example", "ecommerce", "--out", out, "--bundle", *rows_args(SMALL))
    assert_ok(result)
    assert "as data.json" in result.output and "validated:" in result.output
    assert [p.name for p in out.iterdir()] == ["data.json"]
    document = json.loads((out / "data.json").read_text(encoding="utf-8"))
    assert list(document) == schema.generation_order()
    assert {t: len(records) for t, records in document.items()} == SMALL
    data = sf.read_samples(out / "data.json", schema)
    assert sf.validate(data, schema).empty


def test_rows_for_one_table_take_the_tables_under_it_along(tmp_path: Path, schema: sf.Schema):
    out = tmp_path / "out"
    assert_ok(run("generate", "--example", "ecommerce", "--out", out, "--rows", "customers=6000", "-q"))
    counts = {t: len(df) for t, df in sf.read_samples(out, schema).items()}
    example = RECORD_COUNTS["ecommerce"]
    # orders follow customers at the samples' ratio (not the example's fixed count); products, sized by the
    # example and laid out under no table, stay
    assert counts["customers"] == 6000 and counts["products"] == example["products"]
    samples = sf.read_samples(example_samples_dir(), schema)
    ratio = len(samples["orders"]) / len(samples["customers"])
    assert counts["orders"] == round(6000 * ratio) != example["orders"]
    assert counts["order_items"] > counts["orders"]
    none = tmp_path / "none"
    result = run("generate", "--example", "ecommerce", "--out", none, "--rows", "customers=0")
    assert_ok(result)
    assert "validated:" in result.output
    assert {p.name: len(p.read_text().splitlines()) for p in none.iterdir()}["orders.csv"] == 1  # header only


def test_bundle_refuses_another_format(tmp_path: Path):
    result = run("generate", "--example", "ecommerce", "--out", tmp_path / "out", "--bundle", "--format", "parquet")
    assert_cli_error(result, "--bundle", "parquet")
    assert not (tmp_path / "out").exists()


def test_generate_bundle_is_the_same_data_as_the_per_table_files(tmp_path: Path, schema: sf.Schema):
    assert_ok(run("generate", "--example", "ecommerce", "-o", tmp_path / "b", "--bundle", "--seed", "5",
                  *rows_args(SMALL)))
    assert_ok(run("generate", "--example", "ecommerce", "-o", tmp_path / "j", "-f", "json", "--seed", "5",
                  *rows_args(SMALL)))
    document = json.loads((tmp_path / "b" / "data.json").read_text(encoding="utf-8"))
    for table in TABLES:
        assert document[table] == json.loads((tmp_path / "j" / f"{table}.json").read_text(encoding="utf-8"))


def test_generate_request_file_honours_record_counts_exactly(tmp_path: Path, schema: sf.Schema):
    request = load_example_request()
    request["recordCounts"] = {"customers": 77, "products": 31, "orders": 123, "order_items": 289, "reviews": 58}
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    out = tmp_path / "out"
    result = run("generate", path, "--out", out, "--seed", "2")
    assert_ok(result)
    data = sf.read_samples(out, schema)
    assert {t: len(df) for t, df in data.items()} == request["recordCounts"]
    assert sf.validate(data, schema).empty


def test_generate_request_file_rows_option_overrides_one_table(tmp_path: Path):
    request = load_example_request()
    request["recordCounts"] = {"customers": 40, "products": 20, "orders": 90, "order_items": 200, "reviews": 30}
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    assert_ok(run("generate", path, "-o", tmp_path / "out", "--rows", "reviews=7"))
    assert len(pd.read_csv(tmp_path / "out" / "reviews.csv")) == 7
    assert len(pd.read_csv(tmp_path / "out" / "customers.csv")) == 40


def test_generate_from_a_folder_of_csvs_alone_infers_the_schema(tmp_path: Path):
    samples = tmp_path / "data"
    shutil.copytree(example_samples_dir(), samples)
    out = tmp_path / "out"
    result = run("generate", "--samples", samples, "--out", out, "--rows", "customers=300", "--seed", "1")
    assert_ok(result)
    inferred = sf.infer_schema(sf.read_samples(samples))
    data = sf.read_samples(out, inferred)
    assert len(data["customers"]) == 300
    assert set(data) == set(TABLES)
    assert sf.validate(data, inferred).empty
    assert data["orders"]["customer_id"].isin(data["customers"]["customer_id"]).all()


def test_generate_scale_multiplies_sample_sizes(tmp_path: Path):
    samples = tmp_path / "data"
    samples.mkdir()
    pd.DataFrame({"id": range(1, 21), "score": [x * 1.5 for x in range(20)]}).to_csv(samples / "t.csv", index=False)
    assert_ok(run("generate", "--samples", samples, "-o", tmp_path / "out", "--scale", "3"))
    assert len(pd.read_csv(tmp_path / "out" / "t.csv")) == 60


def test_no_validate_skips_the_check(tmp_path: Path):
    result = run("generate", "--example", "ecommerce", "-o", tmp_path, "--no-validate", *rows_args(SMALL))
    assert_ok(result)
    assert "validated" not in result.output and "skipped" not in result.output


# -- infer, fit, sample -------------------------------------------------------------------------

def test_infer_prints_a_schema_that_from_json_accepts(tmp_path: Path):
    result = run("infer", "--samples", example_samples_dir())
    assert_ok(result)
    schema = sf.Schema.from_json(result.stdout)
    assert set(schema.tables) == set(TABLES)
    assert schema.tables["customers"].primary_key == ("customer_id",)
    fks = {(fk.columns, fk.ref_table) for fk in schema.tables["orders"].foreign_keys}
    assert (("customer_id",), "customers") in fks
    assert result.stderr == ""

    path = tmp_path / "schema.json"
    assert_ok(run("infer", "--samples", example_samples_dir(), "-o", path))
    assert sf.Schema.from_json(path) == schema


def test_sample_same_seed_gives_byte_identical_files_and_another_seed_differs(tmp_path: Path, model_file: Path):
    runs = {}
    for name, seed in (("a", "3"), ("b", "3"), ("c", "4")):
        result = run("sample", model_file, "--rows", "customers=500", "--seed", seed, "--out", tmp_path / name)
        assert_ok(result)
        runs[name] = {p.name: p.read_bytes() for p in (tmp_path / name).iterdir()}
    assert sorted(runs["a"]) == sorted(f"{t}.csv" for t in TABLES)
    assert runs["a"] == runs["b"]
    for table in TABLES:
        assert runs["a"][f"{table}.csv"] != runs["c"][f"{table}.csv"], table
    assert runs["a"]["customers.csv"].count(b"\n") == 501  # header + 500 rows


def test_sample_writes_the_same_bytes_as_model_write(tmp_path: Path, model_file: Path):
    assert_ok(run("sample", model_file, "--rows", "customers=80", "--seed", "9", "-o", tmp_path / "cli"))
    sf.Model.load(model_file).write({"customers": 80}, tmp_path / "api", format="csv", seed=9)
    for table in TABLES:
        assert (tmp_path / "cli" / f"{table}.csv").read_bytes() == (tmp_path / "api" / f"{table}.csv").read_bytes()


def test_fit_from_a_request_file_saves_a_model(tmp_path: Path):
    path = tmp_path / "request.json"
    path.write_text(json.dumps(load_example_request()), encoding="utf-8")
    result = run("fit", path, "-o", tmp_path / "m.json")
    assert_ok(result)
    model = sf.Model.load(tmp_path / "m.json")
    assert set(model.tables) == set(TABLES)


# -- --rows parsing -----------------------------------------------------------------------------

@pytest.mark.parametrize(("item", "needles"), [
    ("customers", ["TABLE=N", "'customers'"]),
    ("=5", ["TABLE=N", "'=5'"]),
    ("customers=", ["'customers'", "whole number"]),
    ("customers=abc", ["'customers'", "whole number", "'abc'"]),
    ("customers=1.5", ["'customers'", "whole number", "'1.5'"]),
    ("customers=-3", ["'customers'", "'-3'"]),
    ("customers=+3", ["'customers'", "'+3'"]),
    ("customers=1e3", ["'customers'", "'1e3'"]),
    ("customers=True", ["'customers'", "'True'"]),
    ("customers=1000000000000000", ["'customers'", "1,000,000,000,000,000", "limit"]),
    ("nosuch=5", ["'nosuch'", "unknown table"]),
    ("customers=5,orders=20", ["once per table", "--rows customers=5 --rows", "'customers=5,orders=20'"]),
])
def test_bad_rows_option_is_one_error_line(tmp_path: Path, model_file: Path, item: str, needles: list[str]):
    out = tmp_path / "out"
    assert_cli_error(run("sample", model_file, "--rows", item, "-o", out), *needles)
    assert not out.exists()


def test_rows_option_naming_a_table_twice_is_an_error(tmp_path: Path, model_file: Path):
    assert_cli_error(run("sample", model_file, "--rows", "customers=5", "--rows", "customers=6", "-o", tmp_path / "o"),
                 "'customers' twice")


def test_rows_option_accepts_underscores(tmp_path: Path, model_file: Path):
    assert_ok(run("sample", model_file, "--rows", "customers=1_000", "--no-validate", "-o", tmp_path))
    assert len(pd.read_csv(tmp_path / "customers.csv")) == 1000


def test_generate_checks_rows_before_fitting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    fit_module = sys.modules["synthframe.fit"]

    def no_fit(*args, **kwargs):
        raise AssertionError("fitted before the row counts were checked")

    monkeypatch.setattr(fit_module, "fit", no_fit)
    assert_cli_error(run("generate", "--example", "ecommerce", "--rows", "customers=x"), "'customers'")


# -- validate -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, model_file: Path) -> Path:
    out = tmp_path_factory.mktemp("written")
    assert_ok(run("sample", model_file, "--rows", "customers=200", "--seed", "1", "-o", out))
    return out


def test_validate_command_on_good_data(written: Path):
    result = run("validate", written, "--schema", example_schema_path())
    assert_ok(result)
    assert result.output.strip() == "validated: every primary key unique, every foreign key found, types and " \
                                    "bounds hold"


def test_validate_command_reports_a_dangling_foreign_key(tmp_path: Path, written: Path):
    bad = tmp_path / "bad"
    shutil.copytree(written, bad)
    orders = pd.read_csv(bad / "orders.csv", dtype=str, keep_default_na=False)
    orders.loc[7, "customer_id"] = "999999"
    orders.to_csv(bad / "orders.csv", index=False)
    result = run("validate", bad, "--schema", example_schema_path())
    line = assert_cli_error(result, "orders.customer_id", "1 problem")
    assert "customers.customer_id" in line
    assert result.stdout.splitlines() == [
        "invalid: orders.customer_id [foreign_key] Foreign key orders.customer_id has 1 row(s) whose value is not "
        "a key of customers.customer_id; every foreign key must match a parent row (or be null where nullable)."]


def test_validate_command_names_a_missing_table(tmp_path: Path, written: Path):
    partial = tmp_path / "partial"
    shutil.copytree(written, partial)
    (partial / "reviews.csv").unlink()
    assert_cli_error(run("validate", partial, "--schema", example_schema_path()), "reviews", "not in the data")


def test_validate_command_names_a_duplicate_primary_key(tmp_path: Path, written: Path):
    bad = tmp_path / "bad"
    shutil.copytree(written, bad)
    products = pd.read_csv(bad / "products.csv", dtype=str, keep_default_na=False)
    products.loc[3, "product_id"] = products.loc[2, "product_id"]
    products.to_csv(bad / "products.csv", index=False)
    assert_cli_error(run("validate", bad, "--schema", example_schema_path()), "products.product_id")


# -- help ---------------------------------------------------------------------------------------

def test_every_verb_of_the_design_is_a_command():
    assert {"generate", "infer", "fit", "sample", "validate", "serve"} <= set(main.commands)


@pytest.mark.parametrize("command", sorted(main.commands))
def test_help_of_every_command_mentions_each_of_its_options(command: str):
    result = run(command, "--help")
    assert_ok(result)
    cmd = main.commands[command]
    options = [p for p in cmd.params if isinstance(p, click.Option)]
    assert options
    for option in options:
        for flag in [*option.opts, *option.secondary_opts]:
            assert flag in result.output, (command, flag)
        assert option.help and option.help.split()[0] in result.output
    assert cmd.help and cmd.help.split()[0] in result.output


def test_help_of_generate_names_its_sources_and_outputs():
    text = run("generate", "--help").output
    for flag in ("REQUEST", "--schema", "--samples", "--example", "--out", "--format", "--seed", "--rows",
                 "--scale", "--validate", "--no-validate", "--bundle", "json|jsonl|csv|parquet"):
        assert flag in text, flag


def test_top_level_help_lists_every_command():
    result = run("--help")
    assert_ok(result)
    for command in main.commands:
        assert f"  {command}  " in result.output, command


# -- every error: one line, exit code 2 ---------------------------------------------------------

def _request(tmp: Path, data: object, name: str = "request.json") -> Path:
    path = tmp / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def _with(**changes: object) -> dict:
    return {**load_example_request(), **changes}


ERRORS = [  # (id, arguments given a scratch folder, what the one error line must say)
    ("unknown-option", lambda tmp: ["generate", "--bogus"], ["--bogus", "synthframe generate --help"]),
    ("unknown-command", lambda tmp: ["nosuch"], ["nosuch", "synthframe --help"]),
    ("unknown-format", lambda tmp: ["generate", "--example", "ecommerce", "-f", "xml"], ["'xml'", "--format"]),
    ("negative-seed", lambda tmp: ["generate", "--example", "ecommerce", "--seed", "-1"], ["--seed"]),
    ("negative-scale", lambda tmp: ["generate", "--example", "ecommerce", "--scale", "-1"], ["--scale"]),
    ("infinite-scale", lambda tmp: ["generate", "--example", "ecommerce", "--scale", "inf"], ["--scale", "finite"]),
    ("scale-not-a-number", lambda tmp: ["generate", "--example", "ecommerce", "--scale", "x"], ["--scale"]),
    ("nothing-to-learn-from", lambda tmp: ["generate"], ["Nothing to learn from"]),
    ("unknown-example", lambda tmp: ["generate", "--example", "nope"], ["'nope'", "ecommerce"]),
    ("example-and-schema", lambda tmp: ["generate", "--example", "ecommerce", "--schema", str(example_schema_path())],
     ["--example"]),
    ("request-and-samples", lambda tmp: ["generate", str(_request(tmp, load_example_request())), "--samples",
                                         str(example_samples_dir())], ["REQUEST.json"]),
    ("missing-request", lambda tmp: ["generate", str(tmp / "missing.json")], ["missing.json", "does not exist"]),
    ("request-is-a-folder", lambda tmp: ["generate", str(tmp)], ["is a directory"]),
    ("request-not-json", lambda tmp: ["generate", str(_request(tmp, "{not json"))], ["not valid JSON", "line 1"]),
    ("request-not-an-object", lambda tmp: ["generate", str(_request(tmp, [1, 2]))], ["not a generation request"]),
    ("request-unknown-key", lambda tmp: ["generate", str(_request(tmp, _with(recordcounts={})))],
     ["'recordcounts'", "recordCounts"]),
    ("record-counts-a-list", lambda tmp: ["generate", str(_request(tmp, _with(recordCounts=[5])))],
     ["recordCounts", "object"]),
    ("record-count-a-string", lambda tmp: ["generate", str(_request(tmp, _with(recordCounts={"customers": "10"})))],
     ["'customers'", "whole number", "'10'"]),
    ("request-duplicate-key", lambda tmp: ["generate", str(_request(tmp, '{"schema": {}, "schema": {}}'))],
     ["'schema' twice"]),
    ("missing-schema-file", lambda tmp: ["generate", "--schema", str(tmp / "nope.json"), "--samples",
                                         str(example_samples_dir())], ["nope.json", "does not exist"]),
    ("missing-samples", lambda tmp: ["generate", "--samples", str(tmp / "nothing")], ["does not exist"]),
    ("empty-samples-folder", lambda tmp: ["generate", "--samples", str(tmp)], ["holds no table files"]),
    ("missing-model", lambda tmp: ["sample", str(tmp / "nope.json")], ["nope.json", "does not exist"]),
    ("model-wrong-version", lambda tmp: ["sample", str(_request(tmp, {"format_version": 99}, "m.json"))],
     ["version 99"]),
    ("sample-without-model", lambda tmp: ["sample"], ["MODEL.json"]),
    ("validate-without-schema", lambda tmp: ["validate", str(tmp)], ["--schema"]),
    ("validate-missing-folder", lambda tmp: ["validate", str(tmp / "none"), "--schema", str(example_schema_path())],
     ["does not exist"]),
    ("infer-without-samples", lambda tmp: ["infer"], ["--samples"]),
    ("infer-missing-samples", lambda tmp: ["infer", "--samples", str(tmp / "none")], ["does not exist"]),
]


@pytest.mark.parametrize(("make_args", "needles"), [pytest.param(a, n, id=i) for i, a, n in ERRORS])
def test_every_error_is_one_line_with_exit_code_2(tmp_path: Path, make_args, needles: list[str]):
    assert_cli_error(run(*make_args(tmp_path)), *needles)


def test_an_unwritable_model_path_is_one_error_line(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert_cli_error(run("fit", "--example", "ecommerce", "-o", blocker / "model.json"), str(blocker))


def test_an_output_folder_that_is_a_file_is_one_error_line(tmp_path: Path, model_file: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert_cli_error(run("sample", model_file, "-o", blocker))


def test_an_unwritable_infer_output_is_one_error_line(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert_cli_error(run("infer", "--samples", example_samples_dir(), "-o", blocker / "schema.json"), str(blocker))


# -- the installed console script ---------------------------------------------------------------

def _console_script() -> str:
    found = shutil.which("synthframe") or shutil.which("synthframe", path=os.path.dirname(sys.executable))
    assert found, "the 'synthframe' console script is not installed (pip install -e .)"
    return found


def test_console_script_generates_and_validates(tmp_path: Path, schema: sf.Schema):
    out = tmp_path / "out"
    done = subprocess.run([_console_script(), "generate", "--example", "ecommerce", "--out", str(out),
                           *rows_args(SMALL)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "validated:" in done.stdout
    assert done.stderr == ""
    data = sf.read_samples(out, schema)
    assert {t: len(df) for t, df in data.items()} == SMALL
    assert sf.validate(data, schema).empty


def test_console_script_error_is_one_line_and_exit_code_2(tmp_path: Path):
    done = subprocess.run([_console_script(), "generate", "--example", "ecommerce", "--rows", "orders=-4",
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["error: Row count for table 'orders' must be a whole number of zero or more "
                                        "(e.g. orders=1000 or orders=1_000_000); got '-4'."]
    assert not (tmp_path / "out").exists()


def test_infer_explain_says_why_each_key_was_chosen(tmp_path: Path):
    folder = tmp_path / "samples"
    folder.mkdir()
    pd.DataFrame({"code": ["AA", "UA", "DL"], "name": ["a", "b", "c"]}).to_csv(folder / "airlines.csv", index=False)
    pd.DataFrame({"flight_id": range(1, 21), "carrier_code": (["AA", "UA", "DL", "AA"] * 5)[:19] + ["ZZ"]}) \
        .to_csv(folder / "flights.csv", index=False)
    result = CliRunner().invoke(main, ["infer", "--samples", str(folder), "--explain"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)  # stdout stays the schema alone
    assert "airlines" in json.dumps(schema["tables"]["flights"]["foreign_keys"])
    lines = result.stderr.splitlines()
    assert "# primary key airlines.code: a unique code column that another table's column refers to by value" in lines
    fk = next(line for line in lines if line.startswith("# foreign key flights.carrier_code"))
    assert "by its values alone: 95.0%" in fk and "1 orphan value" in fk
    from synthframe.infer import infer_schema_with_evidence

    _, evidence = infer_schema_with_evidence(folder)
    assert {"kind": "foreign_key", "table": "flights", "columns": ["carrier_code"], "references": "airlines.code",
            "how": "values", "coverage": 0.95, "orphans": 1} in evidence


SCRIPT = "import sys\nfrom synthframe.cli import main\nif __name__ == '__main__':\n    sys.exit(main())\n"
"""What pip writes as the ``synthframe`` console script."""


@pytest.mark.parametrize("how", ["script", "module"])
def test_ctrl_c_while_importing_is_one_line_and_exit_code_130(tmp_path: Path, how: str):
    """SIGINT as soon as numpy is loaded, while pandas, scipy and the rest are still being imported."""
    script = tmp_path / "synthframe"
    script.write_text(SCRIPT, encoding="utf-8")
    program = [str(script)] if how == "script" else ["-m", "synthframe"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    process = subprocess.Popen([sys.executable, *program, "generate", "--example", "ecommerce", "--out",
                                str(tmp_path / "out")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env, cwd=tmp_path)
    maps, deadline = Path(f"/proc/{process.pid}/maps"), time.monotonic() + 60
    if not maps.exists():
        process.kill()
        pytest.skip("needs /proc to see when the imports are under way")
    while "numpy" not in maps.read_text():
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.005)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert (process.returncode, err, out) == (130, "error: interrupted (Ctrl-C).\n", "")
    assert not (tmp_path / "out").exists()


def test_sigterm_mid_write_is_one_line_exit_code_143_and_leaves_nothing(tmp_path: Path, model_file: Path):
    script = tmp_path / "synthframe"
    script.write_text(SCRIPT, encoding="utf-8")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    process = subprocess.Popen([sys.executable, str(script), "sample", str(model_file), "--rows",
                                "customers=3000000", "--out", str(out), "--quiet"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 60
    while not (out.exists() and any(p.name.endswith(".partial") for p in out.iterdir())):
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (143, "error: terminated (SIGTERM).\n")
    assert list(out.iterdir()) == []
