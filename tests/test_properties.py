"""Property tests of the generation contracts over random row counts, seeds and batch sizes."""

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synthframe as sf
from synthframe.examples import example_samples_dir, example_schema_path


@pytest.fixture(scope="module")
def model():
    return sf.fit(example_schema_path(), example_samples_dir())


counts = st.fixed_dictionaries({
    "customers": st.integers(1, 400), "products": st.integers(1, 120), "orders": st.integers(1, 600),
    "order_items": st.integers(0, 900), "reviews": st.integers(0, 300)})


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=counts, seed=st.integers(0, 2**32), batch=st.integers(1, 700))
def test_any_counts_seed_and_batching_give_valid_equal_data(model, rows, seed, batch):
    whole = model.sample(rows, seed=seed)
    assert {t: len(df) for t, df in whole.items()} == rows
    assert sf.validate(whole, model.schema).empty
    batched = model.sample(rows, seed=seed, batch_rows=batch)
    for table, frame in whole.items():
        pd.testing.assert_frame_equal(frame, batched[table])
    for name, table in model.tables.items():
        for column in table.columns.values():
            generator = column.generator
            if generator["kind"] == "frequencies" and column.type in ("category", "string"):
                seen = set(whole[name][column.name].dropna().astype(str))
                assert seen <= {str(v) for v in generator["values"]}, (name, column.name)


@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32))
def test_model_round_trip_is_lossless_for_any_seed(model, seed):
    again = sf.Model.from_dict(model.to_dict())
    a = model.sample({"customers": 50}, seed=seed)
    b = again.sample({"customers": 50}, seed=seed)
    for table in a:
        pd.testing.assert_frame_equal(a[table], b[table])
