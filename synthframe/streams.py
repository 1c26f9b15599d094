"""Addressed random streams: same seed, same data, whatever the chunking.

Every draw synthframe makes comes from a stream addressed by
``(seed, table, column, purpose, block)``: a :class:`numpy.random.SeedSequence`
with that spawn key feeding a pinned PCG64 bit generator. Ids are stable 64-bit
hashes of names (blake2b), never Python's salted ``hash()``. Row ``i`` of a
table lies in block ``i // BLOCK_SIZE``, so its values depend only on the seed
and where it sits, not on how many rows are produced at once or by which worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from hashlib import blake2b

import numpy as np

BLOCK_SIZE = 1 << 16
"""Rows per block. Changing it changes every generated value: it is part of the format."""

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


@lru_cache(maxsize=4096)
def stable_id(name: str) -> int:
    """A stable 63-bit id of a name (blake2b), the same in every process and on every platform."""
    return int.from_bytes(blake2b(name.encode("utf-8"), digest_size=8).digest(), "little") >> 1


def rng(seed: int, table: str, column: str, purpose: str, block: int = 0) -> np.random.Generator:
    """The generator for one addressed stream."""
    key = (stable_id(table), stable_id(column), stable_id(purpose), int(block))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed), spawn_key=key)))


def seed_int(seed: int, table: str, column: str, purpose: str) -> int:
    """A plain integer derived from an address, for libraries that take an int seed (Faker)."""
    return int(rng(seed, table, column, purpose).integers(0, 2**62))


def blocks(start: int, stop: int) -> Iterator[tuple[int, int, int]]:
    """``(block, lo, hi)`` for each block overlapping rows ``[start, stop)``, clipped to that range."""
    if stop <= start:
        return
    for block in range(start // BLOCK_SIZE, (stop - 1) // BLOCK_SIZE + 1):
        lo = max(start, block * BLOCK_SIZE)
        hi = min(stop, (block + 1) * BLOCK_SIZE)
        yield block, lo, hi


def uniform(seed: int, table: str, column: str, purpose: str, start: int, stop: int) -> np.ndarray:
    """Uniform [0, 1) draws for rows ``[start, stop)``: each block's stream, sliced where needed.

    A block's draws are always made whole (``BLOCK_SIZE`` values) and sliced, so a
    row's value does not depend on which rows were asked for with it.
    """
    parts = []
    for block, lo, hi in blocks(start, stop):
        draws = rng(seed, table, column, purpose, block).random(BLOCK_SIZE)
        base = block * BLOCK_SIZE
        parts.append(draws[lo - base:hi - base])
    return np.concatenate(parts) if parts else np.empty(0)


def splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, vectorized over uint64: a counter-based hash."""
    with np.errstate(over="ignore"):
        z = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))
