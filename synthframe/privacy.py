"""Fit step: what a model may keep of the sample strings.

By default a model keeps sample values only where they are not about a person: names of things
(product names, airlines), recurring sentences, job titles and cities, category levels, the rows of
small reference tables. Personal columns (names, emails, phones, addresses) never keep theirs.

``privacy="strict"`` keeps no sample string that fewer than :data:`MIN_SHARED` rows share: text is
learned as word counts and a vocabulary of words several values use (never a whole value), semantic
columns draw only from the reference data, email domains are kept only when shared, reference tables
are generated rather than kept, and names, cities and other reference values equal to a sample value are
never drawn (the model stores hashes of those values, not the values). Category levels stay: a category
is a value many rows share by construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from . import text
from .errors import SchemaError
from .model import ColumnModel

MODES = ("default", "strict")
"""The privacy modes :func:`synthframe.fit` accepts."""
MIN_SHARED = 5
"""Under ``strict``, a sample string is kept only when at least this many rows share it (email domains)."""


def is_strict(privacy: str) -> bool:
    """Whether ``privacy`` asks for the strict mode; a SchemaError naming the modes for anything else."""
    if privacy not in MODES:
        raise SchemaError(f"privacy must be one of {', '.join(map(repr, MODES))}; got {privacy!r}.")
    return privacy == "strict"


def value_hashes(values: pd.Series) -> list[int]:
    """Sorted distinct 63-bit hashes of the values (as text): what strict generation avoids, stored instead
    of the values themselves."""
    plain = values.dropna().astype(str).drop_duplicates().to_numpy(dtype=object)
    return sorted({int(h) for h in pd.util.hash_array(plain) >> np.uint64(1)}) if len(plain) else []


def hashed(values: np.ndarray) -> np.ndarray:
    """The same hashes for an array of reference values (to find those a model avoids)."""
    return pd.util.hash_array(np.asarray(values, dtype=object)) >> np.uint64(1)


def strict_columns(columns: Mapping[str, ColumnModel], df: pd.DataFrame) -> dict[str, ColumnModel]:
    """The table's columns with no whole sample string kept: text levels and sentences become words,
    semantic columns forget their sample values, email domains keep only those :data:`MIN_SHARED` rows use."""
    out = dict(columns)
    for name, cm in columns.items():  # a loop over the table's columns
        spec = cm.generator.get("text") if cm.generator.get("kind") == "text" else None
        if not isinstance(spec, Mapping):
            continue
        values = df[name].dropna().astype(str) if name in df else pd.Series([], dtype=object)
        kept: dict[str, Any] | None = None
        if spec.get("kind") in ("levels", "sentences"):
            kept = text.fit_words(values)
        elif spec.get("kind") == "semantic":
            kept = {k: v for k, v in spec.items() if k not in ("seen", "new")}
            if spec.get("semantic") in text._FROM_REFERENCE and len(values):
                kept["avoid"] = value_hashes(values)  # reference values equal to a sample value are skipped
            if "domains" in spec:
                counts = values.str.extract(r"@([^@\s]+)$")[0].dropna().str.lower().value_counts()
                shared = counts[counts >= MIN_SHARED]
                if len(shared):
                    kept["domains"] = {"values": shared.index.astype(str).tolist(),
                                       "weights": (shared / shared.sum()).astype(float).tolist()}
                else:
                    kept.pop("domains")
        if kept is not None and kept != spec:
            out[name] = replace(cm, generator={**cm.generator, "text": kept})
    return out


def strict_place(group: dict[str, Any], df: pd.DataFrame) -> dict[str, Any]:
    """A place group that keeps no sample city: every city new, from the gazetteer, none of the samples'."""
    city = (group.get("columns") or {}).get("city")
    if "cities" in group:
        group = {**group, "cities": {"new": 1.0}}
    if city and city in df:
        group = {**group, "avoid": value_hashes(df[city])}
    return group


def strict_person(group: dict[str, Any], df: pd.DataFrame) -> dict[str, Any]:
    """A person group whose names are never one of the samples' first or last names."""
    parts = group.get("columns") or {}
    words = [df[parts[p]].dropna().astype(str).str.split().explode() for p in ("first", "last", "full")
             if parts.get(p) in df]
    return {**group, "avoid": value_hashes(pd.concat(words))} if words else group
