"""synthframe: learn a relational dataset from a schema and samples, generate it at any size.

    import synthframe as sf
    model = sf.fit(sf.Schema.from_json("schema.json"), "samples/")
    data = model.sample({"customers": 10_000}, seed=7)      # {table: DataFrame}
    problems = sf.validate(data, model.schema)                # empty when every key and bound holds

Public names are imported on first use, so ``import synthframe`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import SynthframeError

if TYPE_CHECKING:
    from .fit import fit
    from .infer import infer_schema
    from .model import Model
    from .samples import read_samples
    from .schema import Schema
    from .validate import validate

__all__ = ["Model", "Schema", "SynthframeError", "fit", "infer_schema", "read_samples", "validate"]
__version__ = "0.1.0"

_HOMES = {"fit": "fit", "infer_schema": "infer", "Model": "model", "read_samples": "samples",
          "Schema": "schema", "validate": "validate"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module 'synthframe' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
