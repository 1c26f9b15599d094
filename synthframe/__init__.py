"""synthframe: learn a relational dataset from a schema and samples, generate it at any size.

    import synthframe as sf
    model = sf.fit(sf.Schema.from_json("schema.json"), "samples/")
    data = model.sample({"customers": 10_000}, seed=7)      # {table: DataFrame}
    problems = sf.validate(data, model.schema)                # empty when every key and bound holds
"""

from .startup import quiet_interrupts_while_importing

quiet_interrupts_while_importing()  # the synthframe command: Ctrl-C while importing is one line, exit code 130

from .errors import SynthframeError  # noqa: E402
from .evaluate import evaluate  # noqa: E402
from .fit import fit  # noqa: E402
from .infer import infer_schema  # noqa: E402
from .model import Model  # noqa: E402
from .samples import read_samples  # noqa: E402
from .schema import Schema  # noqa: E402
from .validate import validate  # noqa: E402

__all__ = ["Model", "Schema", "SynthframeError", "evaluate", "fit", "infer_schema", "read_samples", "validate"]
__version__ = "0.1.0"
