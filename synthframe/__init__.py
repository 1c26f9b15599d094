"""synthframe: learn a relational dataset from a schema and samples, generate it at any size.

    import synthframe as sf
    model = sf.fit(sf.Schema.from_json("schema.json"), "samples/")
    data = model.sample({"customers": 10_000}, seed=7)      # {table: DataFrame}
    problems = sf.validate(data, model.schema)                # empty when every key and bound holds
"""

from .errors import SynthframeError
from .evaluate import evaluate
from .fit import fit
from .infer import infer_schema
from .model import Model
from .samples import read_samples
from .schema import Schema
from .validate import validate

__all__ = ["Model", "Schema", "SynthframeError", "evaluate", "fit", "infer_schema", "read_samples", "validate"]
__version__ = "0.1.0"
