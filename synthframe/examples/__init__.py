"""Example datasets that ship with synthframe: a schema plus hand-sized sample tables.

Each example lives in its own folder, ``<name>/schema.json`` and ``<name>/samples/<table>.csv``,
so it can be read by any of the loaders (``sf.Schema.from_json``, ``sf.read_samples``) or handed
to the command line as one request::

    from synthframe.examples import example_schema_path, example_samples_dir, load_example_request

    model = sf.fit(example_schema_path(), example_samples_dir())
    request = load_example_request("ecommerce")   # {"schema", "sampleData", "recordCounts"}

``ecommerce`` has five tables — customers, products, orders (-> customers), order_items
(-> orders, products; composite key ``(order_id, line_number)``) and reviews (-> customers,
products) — and uses every column type but ``uuid`` and every schema hint.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import SampleError

EXAMPLES: tuple[str, ...] = ("ecommerce",)
"""Names of the bundled examples."""

RECORD_COUNTS: dict[str, dict[str, int]] = {
    "ecommerce": {"customers": 1000, "products": 200, "orders": 3000, "order_items": 8000, "reviews": 1500},
}
"""Row counts the example request asks for, per example and table."""

_HERE = Path(__file__).resolve().parent


def example_dir(name: str = "ecommerce") -> Path:
    """The folder of the bundled example ``name`` (holds ``schema.json`` and ``samples/``)."""
    if name not in EXAMPLES:
        raise SampleError(f"Unknown example {name!r}; the bundled examples are: {', '.join(EXAMPLES)}. "
                          f"Pass one of these names.")
    return _HERE / name


def example_schema_path(name: str = "ecommerce") -> Path:
    """Path of the example's ``schema.json``."""
    return example_dir(name) / "schema.json"


def example_samples_dir(name: str = "ecommerce") -> Path:
    """Folder of the example's sample tables, one ``<table>.csv`` each."""
    return example_dir(name) / "samples"


def load_example_request(name: str = "ecommerce") -> dict[str, Any]:
    """The example as the one-file request ``{"schema", "sampleData", "recordCounts"}``.

    Sample records are typed by the schema: integers and floats as numbers, booleans as
    ``True``/``False``, dates and text as strings, and empty cells as ``None`` — the same
    records a user would write in JSON.
    """
    schema = json.loads(example_schema_path(name).read_text(encoding="utf-8"))
    samples_dir = example_samples_dir(name)
    sample_data: dict[str, list[dict[str, Any]]] = {}
    for table, spec in schema["tables"].items():
        types = {col: (cspec if isinstance(cspec, str) else cspec["type"]) for col, cspec in spec["columns"].items()}
        sample_data[table] = _read_csv(samples_dir / f"{table}.csv", table, types)
    return {"schema": schema, "sampleData": sample_data, "recordCounts": dict(RECORD_COUNTS[name])}


def _read_csv(path: Path, table: str, types: dict[str, str]) -> list[dict[str, Any]]:
    """Records of one sample CSV, each column parsed by its schema type, empty cells as None."""
    dtypes = {col: _DTYPES.get(ctype, "str") for col, ctype in types.items()}
    try:
        frame = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""], encoding="utf-8")
    except (OSError, ValueError, TypeError) as exc:
        raise SampleError(f"Sample file {path} of table '{table}' cannot be read ({exc}); fix the file or "
                          f"reinstall synthframe.", table=table) from None
    missing = [col for col in types if col not in frame.columns]
    if missing:
        raise SampleError(f"Sample file {path} lacks column(s) {missing} of table '{table}'; add them to the header.",
                          table=table, column=missing[0])
    frame = frame[list(types)]
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


_DTYPES = {"integer": "Int64", "float": "Float64", "boolean": "boolean"}
