"""The server's limits: safe defaults, overridable from ``SYNTHFRAME_*`` environment variables or ``serve`` flags.

Every limit has one name used everywhere: the :class:`ServerConfig` field, the
environment variable (``SYNTHFRAME_`` + the name in capitals) and the flag of
``synthframe serve`` (``--`` + the name with dashes). Error messages about a
limit name all three, so whoever hits one knows how to raise it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from ..errors import SynthframeError

ENV_PREFIX = "SYNTHFRAME_"
MIB = 1 << 20


class ServerConfigError(SynthframeError, ValueError):
    """A limit was given a value that cannot be used (from the environment, a flag or code)."""


@dataclass(frozen=True)
class ServerConfig:
    """Limits of one server; every field has a safe default.

    ``max_body_bytes``  largest request body (uploads included) — larger is a 413;
    ``max_rows``        most rows one request may generate, all tables together;
    ``max_tables``      most tables in a schema or in the samples;
    ``max_columns``     most columns in one table;
    ``time_budget``     seconds one request may spend reading, fitting, generating and packaging;
    ``cors_origins``    origins allowed to call the API from a browser page elsewhere (none: CORS off);
    ``model_cache``     fitted models kept in memory, keyed by a digest of schema and samples (0: none).
    """

    max_body_bytes: int = 16 * MIB
    max_rows: int = 1_000_000
    max_tables: int = 50
    max_columns: int = 200
    time_budget: float = 60.0
    cors_origins: tuple[str, ...] = ()
    model_cache: int = 16

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_rows", "max_tables", "max_columns"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ServerConfigError(f"The '{name}' limit must be a positive whole number; got {value!r}. "
                                        f"{how_to_set(name)}")
        if isinstance(self.model_cache, bool) or not isinstance(self.model_cache, int) or self.model_cache < 0:
            raise ServerConfigError(f"The 'model_cache' size must be a whole number, 0 or more; got "
                                    f"{self.model_cache!r}. {how_to_set('model_cache')}")
        budget = self.time_budget
        if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not 0 < budget < float("inf"):
            raise ServerConfigError(f"The 'time_budget' limit must be a positive number of seconds; got "
                                    f"{budget!r}. {how_to_set('time_budget')}")
        origins = self.cors_origins
        if isinstance(origins, str) or not all(isinstance(o, str) and o.strip() for o in origins):
            raise ServerConfigError(f"'cors_origins' must be a list of origins such as 'http://localhost:5173'; "
                                    f"got {origins!r}. {how_to_set('cors_origins')}")
        object.__setattr__(self, "cors_origins", tuple(o.strip().rstrip("/") for o in origins))
        object.__setattr__(self, "time_budget", float(budget))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> ServerConfig:
        """Defaults, then ``SYNTHFRAME_*`` variables from ``environ`` (``os.environ``), then ``overrides``.

        An override of ``None`` leaves the value from the environment (so unset CLI flags pass through).
        """
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(env_var(f.name))
            if raw is not None and raw.strip() != "":
                values[f.name] = _parse(f.name, raw)
        unknown = set(overrides) - {f.name for f in fields(cls)}
        if unknown:
            raise ServerConfigError(f"Unknown server settings {sorted(unknown)}; known: "
                                    f"{[f.name for f in fields(cls)]}.")
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def limits(self) -> dict[str, Any]:
        """The limits as plain data (shown by ``GET /api/health``)."""
        return {"max_body_bytes": self.max_body_bytes, "max_rows": self.max_rows, "max_tables": self.max_tables,
                "max_columns": self.max_columns, "time_budget": self.time_budget}


def env_var(name: str) -> str:
    """``max_rows`` -> ``SYNTHFRAME_MAX_ROWS``."""
    return ENV_PREFIX + name.upper()


def flag(name: str) -> str:
    """``max_rows`` -> ``--max-rows`` (``cors_origins`` -> ``--cors-origin``, repeatable)."""
    return "--cors-origin" if name == "cors_origins" else "--" + name.replace("_", "-")


def how_to_set(name: str) -> str:
    """One sentence saying where a limit is set."""
    return f"Set it with the environment variable {env_var(name)} or `synthframe serve {flag(name)}`."


_SIZE = re.compile(r"^\s*(\d[\d_]*)\s*(?:([kmg])(?:i?b)?|b)?\s*$", re.IGNORECASE)


def parse_size(name: str, raw: str) -> int:
    """A byte count: ``16777216``, ``16M``, ``16MiB``, ``512k`` (K, M, G are powers of 1024)."""
    match = _SIZE.match(raw)
    if not match:
        raise ServerConfigError(f"The '{name}' limit must be a number of bytes such as 16777216 or 16M; got "
                                f"{raw!r}. {how_to_set(name)}")
    unit = (match.group(2) or "").lower()
    return int(match.group(1).replace("_", "")) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[unit]


def _parse(name: str, raw: str) -> Any:
    if name == "cors_origins":
        return tuple(o for o in (part.strip() for part in raw.split(",")) if o)
    if name == "max_body_bytes":
        return parse_size(name, raw)
    try:
        return float(raw) if name == "time_budget" else int(raw.strip().replace("_", ""))
    except ValueError:
        kind = "a number of seconds" if name == "time_budget" else "a whole number"
        raise ServerConfigError(f"{env_var(name)} must be {kind}; got {raw!r}.") from None
