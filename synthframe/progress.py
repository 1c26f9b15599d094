"""Progress bars for long runs: one ``tqdm`` bar per table (rows, rows/s, time left).

``progress=True`` always shows them, ``False`` never; ``None`` (the default) shows them for runs of at
least :data:`AUTO_MIN_ROWS` rows when someone can see them — a terminal, or a notebook (``tqdm.auto``
draws a widget there) — and stays silent in logs, pipes and tests.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

AUTO_MIN_ROWS = 100_000
"""Runs smaller than this show no bar unless asked (they finish before a bar would help)."""

T = TypeVar("T")


def wanted(progress: bool | None, total_rows: int) -> bool | None:
    """tqdm's ``disable`` for a run: True (hide), False (show), or None (show on a terminal or notebook)."""
    if progress is None:
        return True if total_rows < AUTO_MIN_ROWS else None
    return not progress


def table_bar(table: str, rows: int, disable: bool | None) -> Any:
    """A bar counting the rows of one table; a hidden bar is a stand-in that does nothing (tqdm is imported only
    for a bar that may show)."""
    if disable or (disable is None and not _viewer()):
        return _HiddenBar()
    from tqdm.auto import tqdm

    return tqdm(total=rows, desc=table, unit=" rows", unit_scale=True, disable=disable, leave=True,
                dynamic_ncols=True)


def _viewer() -> bool:
    """Whether tqdm's ``disable=None`` could show a bar: stderr is a terminal, or IPython is loaded (a notebook,
    where ``tqdm.auto`` draws a widget; tqdm decides)."""
    if "IPython" in sys.modules:
        return True
    isatty = getattr(sys.stderr, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class _HiddenBar:
    """What a hidden tqdm bar does: nothing."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def counted(items: Iterable[T], table: str, rows: int, disable: bool | None) -> Iterator[T]:
    """``items`` (batches with ``len``) unchanged, advancing a bar for ``table`` by each one's rows. Closed early,
    it closes ``items`` too (a stream feeding another learns that it stopped)."""
    bar = table_bar(table, rows, disable)
    try:
        for item in items:
            yield item
            bar.update(len(item))  # type: ignore[arg-type]
    finally:
        bar.close()
        close = getattr(items, "close", None)
        if close is not None:
            close()
