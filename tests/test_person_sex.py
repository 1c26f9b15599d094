"""A person's first name follows the row's sex column, and the share of women follows the samples.

When the sample first names agree with a ``gender``/``sex`` column (``Female`` rows hold women's names), the
person group reads that column: every generated row's first name is of the sex its value says. Without such a
column, the share of women's names is learned from the sample first names the reference lists know.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synthframe as sf
from synthframe.entities import _first_name_sexes

WOMEN = ["Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen"]
MEN = ["James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas", "Charles",
       "Christopher", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven", "Paul", "Andrew", "Joshua"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez"]


def _people(female: str, male: str, *, nulls: bool = False) -> pd.DataFrame:
    first = WOMEN + MEN
    sex = [female] * len(WOMEN) + [male] * len(MEN)
    if nulls:
        sex[0] = sex[-1] = None
    return pd.DataFrame({"id": range(1, len(first) + 1), "first_name": first,
                         "last_name": [LAST[i % len(LAST)] for i in range(len(first))], "gender": sex,
                         "age": np.arange(len(first)) + 20})


SCHEMA = {"tables": {"people": {"primary_key": "id", "columns": {
    "id": "integer", "first_name": "string", "last_name": "string",
    "gender": {"type": "category", "nullable": True}, "age": "integer"}}}}


def _sexes(names: pd.Series) -> pd.Series:
    return names.str.lower().map(_first_name_sexes())


@pytest.mark.parametrize("female, male", [("Female", "Male"), ("F", "M"), ("woman", "man")])
def test_first_names_follow_the_sex_column(female: str, male: str) -> None:
    model = sf.fit(SCHEMA, {"people": _people(female, male, nulls=True)})
    group = model.tables["people"].layout["person"]
    assert group["sex"] == {"column": "gender", "female": [female], "male": [male]}
    rows = model.sample({"people": 20_000}, seed=2)["people"]
    sexes = _sexes(rows["first_name"])
    known = sexes.notna()
    assert known.mean() > 0.85  # names in both lists (a few) say nothing
    said = rows["gender"].astype(object)
    assert (sexes[known & (said == female)]).all()
    assert not (sexes[known & (said == male)]).any()
    # rows without a value get a name of either sex
    blank = known & said.isna()
    assert blank.sum() > 500 and 0.2 < sexes[blank].mean() < 0.8


def test_a_full_name_follows_the_sex_column() -> None:
    people = _people("F", "M")
    people = people.assign(name=people["last_name"] + ", " + people["first_name"]).drop(
        columns=["first_name", "last_name"])
    schema = {"tables": {"people": {"primary_key": "id", "columns": {
        "id": "integer", "name": {"type": "string", "semantic": "name"}, "gender": "category", "age": "integer"}}}}
    model = sf.fit(schema, {"people": people})
    assert model.tables["people"].layout["person"]["sex"]["column"] == "gender"
    rows = model.sample({"people": 5000}, seed=1)["people"]
    assert rows["name"].str.contains(", ").all()
    sexes = _sexes(rows["name"].str.split(", ").str[1].str.split().str[0])
    known = sexes.notna()
    assert (sexes[known] == (rows["gender"].astype(str)[known] == "F")).all()


def test_a_sex_column_the_names_do_not_follow_is_not_read() -> None:
    people = _people("Female", "Male")
    people["gender"] = np.where(np.arange(len(people)) % 2 == 0, "Female", "Male")  # names at random
    model = sf.fit(SCHEMA, {"people": people})
    assert "sex" not in model.tables["people"].layout["person"]


def test_the_share_of_women_is_learned_from_the_sample_names() -> None:
    people = _people("Female", "Male").drop(columns=["gender"])
    schema = {"tables": {"people": {"primary_key": "id", "columns": {
        "id": "integer", "first_name": "string", "last_name": "string", "age": "integer"}}}}
    model = sf.fit(schema, {"people": people})
    group = model.tables["people"].layout["person"]
    known = _sexes(people["first_name"]).dropna()  # the sample names a list knows (30 but one in both lists)
    assert len(known) >= 29 and int(known.sum()) == 10
    assert group["female"] == pytest.approx((known.sum() + 1) / (len(known) + 2), abs=1e-6)
    rows = model.sample({"people": 20_000}, seed=5)["people"]
    sexes = _sexes(rows["first_name"])
    # a name in both lists could be either: the share of women lies between the two readings (±3 sd of 20,000)
    women, either = float((sexes == True).mean()), float(sexes.isna().mean())  # noqa: E712
    assert women - 0.01 < group["female"] < women + either + 0.01 and either < 0.1


def test_too_few_known_names_leave_the_share_even() -> None:
    people = _people("Female", "Male").drop(columns=["gender"]).head(8)
    schema = {"tables": {"people": {"primary_key": "id", "columns": {
        "id": "integer", "first_name": "string", "last_name": "string", "age": "integer"}}}}
    model = sf.fit(schema, {"people": people})
    assert "female" not in model.tables["people"].layout["person"]


def test_a_full_name_column_with_empty_rows_fits() -> None:
    people = pd.DataFrame({"id": range(1, 9), "customer_name": ["Mary Smith", "John Brown", None, "Linda Jones",
                                                                "Paul Allen", "", "Mark Twain", "Sara Cole"]})
    schema = {"tables": {"c": {"primary_key": "id", "columns": {
        "id": "integer", "customer_name": {"type": "string", "nullable": True, "semantic": "name"}}}}}
    model = sf.fit(schema, {"c": people})
    assert model.tables["c"].layout["person"]["columns"] == {"full": "customer_name"}
    assert model.sample({"c": 50}, seed=1)["c"]["customer_name"].str.contains(" ").any()


def test_the_sex_levels_listed_are_levels_the_column_stores() -> None:
    people = _people("Female", "Male")
    people.loc[len(people)] = [99, "Richard", "Moore", "man", 60]  # a level of one row
    for privacy in ("default", "strict"):
        model = sf.fit(SCHEMA, {"people": people}, privacy=privacy)
        sex = model.tables["people"].layout["person"]["sex"]
        stored = set(model.tables["people"].columns["gender"].generator["values"])
        assert set(sex["female"]) | set(sex["male"]) <= stored and sex["female"] == ["Female"], privacy
    # a column stored as words (no level kept) is not read
    words = _people("Female", "Male")
    model = sf.fit({"tables": {"people": {"primary_key": "id", "columns": {
        "id": "integer", "first_name": "string", "last_name": "string",
        "gender": {"type": "string", "semantic": "text"}, "age": "integer"}}}}, {"people": words}, privacy="strict")
    assert "values" not in (model.tables["people"].columns["gender"].generator.get("text") or {})
    assert "sex" not in model.tables["people"].layout["person"]


@pytest.mark.parametrize("sex", [{"column": "gender", "female": "Female", "male": ["Male"]},
                                 {"column": 3, "female": ["Female"], "male": ["Male"]}, "gender"])
def test_a_damaged_sex_entry_is_refused_at_load(sex) -> None:
    data = sf.fit(SCHEMA, {"people": _people("Female", "Male")}).to_dict()
    data["tables"]["people"]["layout"]["person"]["sex"] = sex
    with pytest.raises(sf.SynthframeError) as info:
        sf.Model.from_dict(data).sample({"people": 10}, seed=1)
    assert info.value.table == "people" and "sex" in str(info.value)
