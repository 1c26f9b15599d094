"""Peak memory of a block of code, as growth of the process's resident set size (RSS).

``tracemalloc`` sees only allocations made through Python's allocator, so it misses
Arrow buffers (and anything else allocated in C). RSS counts everything the process
holds in RAM. The kernel keeps only a lifetime maximum (``ru_maxrss``), which cannot be
reset between measurements, so (after :func:`settle` has given freed memory back to the
system) a background thread samples the current RSS from
``/proc/self/statm`` every ~2 ms while the code runs; the peak is the largest sample
minus the RSS just before the code started. Allocations that live for less than the
sampling interval can be missed, so the figure is a slight underestimate at worst.

Where ``/proc`` does not exist (macOS), the growth of ``ru_maxrss`` is used instead: it
is exact when the block pushes the process to a new maximum and zero otherwise.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import resource
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

_STATM = Path("/proc/self/statm")
SAMPLE_INTERVAL = 0.002
"""Seconds between two RSS samples."""


def _max_rss_bytes() -> int:
    """The process's lifetime peak RSS (``ru_maxrss`` is in KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024


METHOD = ("rss-sampling" if _STATM.exists() else "ru_maxrss")
"""How :class:`PeakRSS` measures on this machine."""
METHOD_DESCRIPTION = {
    "rss-sampling": "peak RSS growth: freed memory is returned first (gc, Arrow pool, malloc_trim), then a "
                    "background thread reads /proc/self/statm every 2 ms during the run; peak = largest sample "
                    "- RSS just before the run (counts Arrow and other C buffers, which tracemalloc misses; "
                    "includes the result while it is held)",
    "ru_maxrss": "growth of the process's peak RSS (resource.getrusage ru_maxrss) during the run; "
                 "zero when the run stays below an earlier peak",
}[METHOD]


def _load_malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where there is none."""
    name = ctypes.util.find_library("c")
    if sys.platform != "linux" or not name:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _load_malloc_trim()


def settle() -> None:
    """Give freed memory back to the system, so the next baseline RSS holds only live data.

    Collects garbage, asks Arrow's memory pool to release unused memory, and (glibc) trims
    the C heap: without this, memory freed by an earlier run stays in the process, is reused
    by the next run, and hides that run's peak.
    """
    gc.collect()
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except (ImportError, AttributeError):
        pass
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def rss_bytes() -> int:
    """The current resident set size of this process, in bytes."""
    if METHOD == "rss-sampling":
        fields = _STATM.read_text().split()
        return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")
    return _max_rss_bytes()


class PeakRSS:
    """Context manager measuring how far RSS rose above its starting value while the block ran.

        with PeakRSS() as mem:
            make_big_table()
        mem.peak_bytes        # largest RSS seen minus RSS at entry (>= 0)
    """

    def __init__(self, interval: float = SAMPLE_INTERVAL):
        self.interval = interval
        self.baseline = 0
        self.peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def peak_bytes(self) -> int:
        """Growth of RSS over the block: the largest sample minus the value at entry."""
        return max(self.peak - self.baseline, 0)

    @property
    def peak_mb(self) -> float:
        """:attr:`peak_bytes` in MiB."""
        return self.peak_bytes / 2**20

    def _sample(self) -> None:
        value = rss_bytes()
        if value > self.peak:
            self.peak = value

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> PeakRSS:
        self.baseline = self.peak = rss_bytes()
        if METHOD == "rss-sampling":
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="peak-rss", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
        self._sample()
