"""Every error synthframe raises on bad input, in one place.

All of them derive from :class:`SynthframeError`, and each also inherits the
builtin it refines (``ValueError``, ``KeyError``, ...), so existing ``except``
clauses keep working. Each carries the ``table`` and ``column`` it is about, so
the CLI and the server can report them as data, and its message says how to fix
the problem.
"""

from __future__ import annotations


class SynthframeError(Exception):
    """Root of every error synthframe raises on purpose."""

    def __init__(self, message: str, *, table: str | None = None, column: str | None = None):
        super().__init__(message)
        self.message = message
        self.table = table
        self.column = column

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, str | None]:
        """The error as plain data: ``{"error", "table", "column"}``."""
        return {"error": self.message, "table": self.table, "column": self.column}


class SchemaError(SynthframeError, ValueError):
    """The schema is malformed: unknown type, bad key, cycle, duplicate name, ..."""


class SampleError(SynthframeError, ValueError):
    """Sample data cannot be read or does not fit the schema."""


class ModelError(SynthframeError, ValueError):
    """A saved model cannot be loaded (wrong version, missing fields)."""


class RowCountError(SynthframeError, ValueError):
    """A requested row count is negative, not an integer, too large, or names an unknown table."""


class CapacityError(SynthframeError, ValueError):
    """More rows were asked for than a column or key can hold uniquely."""


class OutputError(SynthframeError, ValueError):
    """An output format or destination cannot be used."""


class StreamStopped(OutputError):
    """A table written beside another (its rows made with the other's) stopped because the other did."""


def where(table: str | None, column: str | None = None) -> str:
    """``table.column`` (or just ``table``) for messages."""
    if table is None:
        return column or "?"
    return f"{table}.{column}" if column else table


class MissingDependencyError(SynthframeError, ImportError):
    """An optional dependency (a ``synthframe[...]`` extra) is not installed; the message says which to install."""


class DiskSpaceError(OutputError):
    """The files a run would write are estimated to need more space than is free at the destination."""
