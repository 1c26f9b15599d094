"""Errors the HTTP API adds to the library's, and the HTTP status of every SynthframeError.

The library's errors (bad schema, samples, counts, capacity, ...) are 422: the
request was well formed but its content cannot be used. A request that is not
well formed (not JSON, a field of the wrong type, a missing field) is 400. A
request over a limit is 413 (body size) or 422 (rows, tables, columns, time),
with the limit's name in the body and a message saying how to raise it.
"""

from __future__ import annotations

from ..errors import SynthframeError
from .config import ServerConfig, how_to_set


class RequestError(SynthframeError, ValueError):
    """The request is not well formed: body not JSON, a field missing or of the wrong type (HTTP 400)."""

    status = 400


class LimitError(SynthframeError, ValueError):
    """The request goes over one of the server's limits (HTTP 413 for the body size, else 422)."""

    def __init__(self, message: str, *, limit: str, status: int = 422, table: str | None = None,
                 column: str | None = None):
        super().__init__(message, table=table, column=column)
        self.limit = limit
        self.status = status

    def to_dict(self) -> dict[str, str | None]:
        return {**super().to_dict(), "limit": self.limit}


def over_limit(config: ServerConfig, name: str, what: str, *, table: str | None = None,
               column: str | None = None, status: int = 422) -> LimitError:
    """A LimitError for limit ``name``: what went over, the limit's value, and how to raise it."""
    value = getattr(config, name)
    shown = f"{value:g} s" if name == "time_budget" else f"{value:,}"
    return LimitError(f"{what}, over this server's limit of {shown} ({name}). Ask for less, or have the "
                      f"server's operator raise the limit. {how_to_set(name)}",
                      limit=name, status=status, table=table, column=column)


def status_of(exc: SynthframeError) -> int:
    """The HTTP status of a SynthframeError: its own ``status``, else 422."""
    status = getattr(exc, "status", 422)
    return status if isinstance(status, int) and 400 <= status < 500 else 422
