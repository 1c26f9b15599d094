"""Step 2 of the pipeline: learn a :class:`~synthframe.model.Model` from a schema and samples.

Per column: the null rate, and which generator kind fits it; what that kind learns lives with
its class in :mod:`synthframe.generators` (``fit(values, hints, ctx)``):

- numbers: several ``scipy.stats`` families fitted and the best chosen by the
  Kolmogorov-Smirnov statistic (simpler families win near-ties), with empirical
  quantiles when none fits; small domains (ratings, quantities, discounts) as
  frequencies; integers stay integers and decimals keep their rounding;
- dates and datetimes: the same, on days or seconds since the epoch, keeping
  resolution;
- categories and booleans: frequencies; low-cardinality strings as categories;
- other strings: :mod:`synthframe.text` (semantic pools, learned formats, words);
- keys: primary keys as sequences or formatted strings, foreign keys by role
  (owner, link partner, self-reference, independent draw).

Per table, here: the layout under the owning parent (children-per-parent shape, per bin of the parent
column it depends on, whether rows come ordered by parent), popularity of drawn parents, self-references,
reference rows, rules (:mod:`synthframe.rules`), the joint model (:mod:`synthframe.joint`), the copula of
what the network leaves alone, person groups, orphans in declared keys.
Hints written in the schema win over what is learned. Everything is vectorized;
large samples are subsampled for the distribution fits, so fitting stays seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import entities, joint, rules, text
from . import privacy as privacy_mode
from .errors import SampleError, SchemaError, where
from .generators.base import FitContext
from .generators.derived import READ_FROM_CHILDREN
from .generators.keys import Uuid, fit_primary_key
from .generators.text import TextSemantic
from .generators.values import Distribution, Frequencies
from .model import ColumnModel, Model, TableModel
from .schema import Column, ForeignKey, Schema, Table

logger = logging.getLogger("synthframe")

MAX_CATEGORY_LEVELS = 50
"""String columns with at most this many distinct values (each seen twice on average) become categories."""


def fit(schema: Schema | Mapping[str, Any] | str | Path | None, samples: Any = None, *,
        privacy: str = "default") -> Model:
    """Fit a model: ``schema`` (a Schema, dict, JSON path, or None to infer it) and ``samples``.

    ``samples`` is anything :func:`synthframe.read_samples` accepts (records, DataFrames, files,
    a folder), or None for a schema-only model drawn from types and hints. ``privacy="strict"`` keeps
    no sample string that fewer than five rows share (see :mod:`synthframe.privacy`).
    """
    from .samples import foreign_key_orphans, read_samples, with_time_formats

    strict = privacy_mode.is_strict(privacy)

    if schema is None:
        if samples is None:
            raise SchemaError("Give a schema, samples, or both: with neither there is nothing to learn from.")
        from .infer import infer_schema

        raw = read_samples(samples)
        schema = infer_schema(raw)
    elif not isinstance(schema, Schema):
        schema = Schema.from_dict(schema) if isinstance(schema, Mapping) else Schema.from_json(schema)
    frames = read_samples(samples, schema) if samples is not None else {}
    schema = with_time_formats(schema, frames)
    fitted: dict[str, TableModel] = {}
    for name in schema.generation_order():
        _sums_over(schema, schema.tables[name], frames, fitted)
        fitted[name] = _fit_table(schema, schema.tables[name], frames.get(name), frames, fitted, strict=strict)
    for report in foreign_key_orphans(frames, schema) if frames else []:
        # A declared key the samples break: say so; generated rows still point only at generated parents.
        logger.warning("%s Generated rows will all point to existing '%s' rows.", report.message, report.ref_table)
        tm = fitted[report.table]
        listed = [*tm.layout.get("orphans", []), {"columns": list(report.columns), "references": report.ref_table,
                                                  "rows": report.rows, "orphans": report.orphans}]
        fitted[report.table] = replace(tm, layout={**tm.layout, "orphans": listed})
    return Model(schema=schema, tables={name: fitted[name] for name in schema.tables})


# -- tables and keys --------------------------------------------------------------------

def _sums_over(schema: Schema, table: Table, frames: Mapping[str, pd.DataFrame], fitted: dict[str, TableModel]
               ) -> None:
    """Before a child table is fitted: the numbers of its owning parent that are sums over their children (an
    order's total over its lines) become ``children_sum`` columns of the parent, listed in its rules and
    taken out of its network, so that nothing of the child is fitted to depend on them."""
    owner, partner = owner_and_partner(table)
    if owner is None or partner is not None:
        return
    parent = table.foreign_keys[owner].ref_table
    if parent == table.name or parent not in fitted or table.name not in frames or parent not in frames:
        return
    refused = {r["column"] for r in schema.tables[parent].rules if r["rule"] == "none"}
    if "*" in refused:
        return
    args = (schema.tables[parent], fitted[parent], frames[parent], table, owner, frames[table.name])
    found = [f for f in rules.find_sums(*args) if f[0] not in refused]
    taken = {f[0] for f in found}
    found += [f for f in rules.find_level_sets(*args) if f[0] not in refused | taken]
    if not found:
        return
    tm = fitted[parent]
    columns = dict(tm.columns)
    layout = dict(tm.layout)
    network = layout.get("joint")
    for name, generator, rule in found:
        columns[name] = replace(columns[name], generator=generator)
        layout["rules"] = [*layout.get("rules", []), rule]
        if network:  # its own node goes, and so do the nodes drawn given it (their columns are drawn alone)
            nodes = {c: n for c, n in network.get("columns", {}).items() if c != name and name not in (
                (n.get("given") or {}).get("column"), (n.get("given2") or {}).get("column"))}
            nulls = {c: n for c, n in (network.get("nulls") or {}).items()
                     if c != name and (n.get("given") or {}).get("column") != name}
            network = {**network, "columns": nodes, **({"nulls": nulls} if "nulls" in network else {})}
    if network is not None:
        if network.get("columns") or network.get("nulls"):
            layout["joint"] = network
        else:
            layout.pop("joint")
    fitted[parent] = replace(tm, columns=columns, layout=layout)


def owner_and_partner(table: Table) -> tuple[int | None, int | None]:
    """Which foreign key lays the table out parent by parent, and (link tables) which one pairs with it.

    The owner is the first foreign key (not a self-reference) whose columns are part of the
    primary key, else the first one not declared nullable. A link table is one whose primary key
    is made of two foreign keys: the second is the partner.
    """
    pk = set(table.primary_key)
    candidates = [i for i, fk in enumerate(table.foreign_keys) if fk.ref_table != table.name]
    in_pk = [i for i in candidates if set(table.foreign_keys[i].columns) <= pk]
    if in_pk:
        owner = in_pk[0]
        covered = set().union(*(table.foreign_keys[i].columns for i in in_pk))
        partner = in_pk[1] if len(in_pk) >= 2 and covered == pk else None
        return owner, partner
    for i in candidates:
        if not any(table.columns[c].nullable for c in table.foreign_keys[i].columns):
            return i, None
    return None, None


def _fit_table(schema: Schema, table: Table, df: pd.DataFrame | None, frames: Mapping[str, pd.DataFrame],
               fitted: Mapping[str, TableModel], *, strict: bool = False) -> TableModel:
    df = df if df is not None else pd.DataFrame()
    owner, partner = owner_and_partner(table)
    layout: dict[str, Any] = {"owner": owner, "partner": partner}
    if strict:
        layout["privacy"] = "strict"
    if owner is not None:
        parent = table.foreign_keys[owner].ref_table
        parent_rows = len(frames[parent]) if parent in frames else 0
        layout["parent"] = parent
        layout["children_per_parent"] = (len(df) / parent_rows) if len(df) and parent_rows else None
        if partner is None and len(df) and parent_rows:
            layout["children_shape"] = _children_shape(table.foreign_keys[owner], df, frames[parent])
            given = _children_given(table.foreign_keys[owner], df, frames[parent], fitted.get(parent),
                                    layout["children_shape"])
            if given:
                layout["children_given"] = given
            elif _poisson_like(layout["children_shape"]):
                layout["children_shape"] = None  # every parent alike: counts scatter as at any scale
        layout["interleave"] = not _ordered_by_parent(table.foreign_keys[owner], df, frames.get(parent))
        if partner is not None and len(df):
            partner_fk = table.foreign_keys[partner]
            shape = _children_shape(partner_fk, df, frames[partner_fk.ref_table]) \
                if partner_fk.ref_table in frames else None
            # Every partner row used equally often in the samples (80 partsupp rows per supplier): keep it so.
            layout["partner_balanced"] = bool(shape and min(shape["counts"]) > 0
                                              and max(shape["counts"]) - min(shape["counts"]) <= 1)
    columns: dict[str, ColumnModel] = {}
    for name, col in table.columns.items():
        values = df[name] if name in df.columns else pd.Series([], dtype="object")
        # A column in several foreign keys follows the widest one (l_partkey in (l_partkey, l_suppkey)
        # → partsupp, not l_partkey → part): the pair then exists, and so does each part of it.
        containing = [i for i, fk in enumerate(table.foreign_keys) if name in fk.columns]
        fk_index = max(containing, key=lambda i: len(table.foreign_keys[i].columns)) if containing else None
        if fk_index is not None:
            fk = table.foreign_keys[fk_index]
            columns[name] = _fit_foreign_key(table, col, fk, fk_index, owner, partner, values)
            if columns[name].generator["role"] == "draw" and name == fk.columns[0] and len(df) \
                    and frames.get(fk.ref_table) is not None and len(frames[fk.ref_table]):
                # How often each parent row is referenced (popular products, never-ordered ones).
                popularity = _children_shape(fk, df, frames[fk.ref_table])
                if popularity and not _poisson_like(popularity):
                    exponent = rank_exponent(_per_parent(fk, df, frames[fk.ref_table]))
                    popularity = _without_chance_spread(popularity)
                    if exponent is not None:
                        popularity = {**popularity, "exponent": exponent}
                    columns[name] = replace(columns[name], generator={**columns[name].generator,
                                                                      "popularity": popularity})
            if fk.ref_table == table.name:
                layout["self_reference"] = _fit_hierarchy(table, fk, df)
        elif name in table.primary_key:
            line_number = owner is not None and set(table.foreign_keys[owner].columns) <= set(table.primary_key)
            nonnull = values.dropna()
            generator = fit_primary_key(nonnull, col, FitContext(table.name, line_number=line_number))
            columns[name] = ColumnModel(col.name, col.type, 0.0, generator, len(nonnull))
        else:
            columns[name] = fit_column(table.name, col, values)
    columns = privacy_mode.strict_columns(columns, df) if strict else _text_given(columns, df)
    columns = _thin_levels(table, columns, df)
    reference = None if strict else _reference_rows(schema, table, columns, df)
    if reference:
        layout["reference"] = reference
    hints = {n: c.locale for n, c in table.columns.items()}
    place = entities.find_place(columns, df, hints)
    if place:
        columns, layout["place"] = place
        if strict:
            layout["place"] = privacy_mode.strict_place(layout["place"], df)
    person = entities.find_person(columns, df, layout.get("place"), hints)
    if person:
        columns, layout["person"] = person
        if strict:
            layout["person"] = privacy_mode.strict_person(layout["person"], df)
    company = entities.find_company(columns, df, layout.get("person"))
    if company:
        columns, layout["company"] = company
        email = layout["company"].pop("email", None)
        if email and layout.get("person"):  # business addresses at the row's company's domain
            layout["person"] = {**layout["person"], "company": {
                "column": layout["company"]["columns"]["company"], "tlds": email["tlds"], "share": email["share"]}}
        if len(layout["company"]["columns"]) == 1:
            del layout["company"]
    columns, found = rules.find_rules(table, columns, df, frames, fitted, schema)
    network = _fit_network(table, columns, df, frames, fitted)
    for name, node in (network or {}).get("columns", {}).items():
        if "means" in node and joint.level_tails(columns[name].generator) and _unbounded(table.columns[name]):
            # drawn per level, not cut at the samples' extremes (its scores were taken without them)
            columns[name] = replace(columns[name], generator={**columns[name].generator, "min": None, "max": None})
    if network:
        layout["joint"] = network
        found += [{"rule": "determines", "column": name, "by": node["given"]["column"]}
                  for name, node in network["columns"].items() if node.get("determined")]
        found += [_threshold_rule(table, name, node) for name, node in network["columns"].items()
                  if "threshold" in node]
    if found:
        layout["rules"] = found
    drawn_alone = {n: cm for n, cm in columns.items() if not network or n not in network["columns"]}
    copula = _fit_copula(table, drawn_alone, df)
    if copula:
        layout["copula"] = copula
    return TableModel(name=table.name, sample_rows=len(df), columns=columns, layout=layout)


def _text_given(columns: dict[str, ColumnModel], df: pd.DataFrame) -> dict[str, ColumnModel]:
    """Text kept as levels or sentences, drawn per level of the category its words go with (product names
    per product category, review sentences per rating): see :func:`text.fit_text_given`."""
    if not len(df):
        return columns
    levelled = {n: cm.generator["text"] for n, cm in columns.items() if n in df and cm.generator.get("kind") == "text"
                and cm.generator["text"].get("kind") in ("levels", "sentences") and not cm.generator.get("unique")}
    if not levelled:
        return columns
    candidates = {n: df[n] for n, cm in columns.items() if n in df and cm.generator.get("kind") == "frequencies"}
    out = dict(columns)
    for name, spec in levelled.items():
        given = text.fit_text_given(spec, df[name], candidates)
        if given:
            out[name] = replace(columns[name], generator={**columns[name].generator, "text": {**spec, "given": given}})
    return out


REFERENCE_MAX_ROWS = 64
"""Tables this small may be reference tables (nations, regions, genres), kept row for row."""
_PERSONAL = frozenset({"email", "name", "first_name", "last_name", "user_name", "phone_number", "street_address",
                       "address", "secondary_address", "ssn", "iban", "credit_card_number", "license_plate",
                       "ipv4", "ipv6", "mac_address"})


def _reference_rows(schema: Schema, table: Table, columns: Mapping[str, ColumnModel],
                    df: pd.DataFrame) -> dict[str, Any] | None:
    """The sample rows of a reference table, kept as they are: a small table other tables point to, whose
    value columns are all labels (text, categories, booleans: no numbers or dates), one of them naming each
    row once, and nothing personal. When a run asks for as many rows as the samples hold, these rows are
    the table (TPC-H's 25 nations keep their names); otherwise it is generated like any other table."""
    if not 0 < len(df) <= REFERENCE_MAX_ROWS or not any(
            fk.ref_table == table.name for other in schema.tables.values() if other.name != table.name
            for fk in other.foreign_keys) or set(table.columns) - set(df.columns):
        return None
    keys = set(table.primary_key) | {c for fk in table.foreign_keys for c in fk.columns}
    labels = [n for n in table.columns if n not in keys]
    for name in labels:
        cm = columns[name]
        spec = cm.generator.get("text") if cm.generator.get("kind") == "text" else None
        if cm.type not in ("string", "category", "boolean") or (spec and spec.get("semantic") in _PERSONAL):
            return None
    naming = [n for n in labels if columns[n].type in ("string", "category") and df[n].notna().all()
              and df[n].is_unique]
    if not naming:
        return None
    return {"rows": len(df), "columns": {n: [_plain_value(v) for v in df[n].tolist()] for n in table.columns}}


def _plain_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value if isinstance(value, (str, int, float, bool)) else str(value)


_KEY_KINDS = frozenset({"foreign_key", "sequence", "key_pattern", "uuid", "line_number"})
_READ_FROM_CHILDREN = READ_FROM_CHILDREN
"""Parent columns computed from the child table being fitted: nothing of the child may depend on them."""


def _fit_network(table: Table, columns: Mapping[str, ColumnModel], df: pd.DataFrame,
                 frames: Mapping[str, pd.DataFrame], fitted: Mapping[str, TableModel]) -> dict[str, Any] | None:
    """The table's Bayesian network (:mod:`synthframe.joint`) over its value columns and the columns of the
    parents its single-column foreign keys point to (read at the parent index when generating), and the
    column each null rate depends on."""
    if len(df) < joint.MIN_ROWS:
        return None
    candidates: list[joint.Candidate] = []
    aligned = {index: rows for index, _, rows in rules.aligned_parents(table, df, frames, fitted)}
    for name, cm in columns.items():
        kind = cm.generator.get("kind")
        if name not in df.columns or kind in _KEY_KINDS:
            continue
        if kind == "offset":
            candidates += _offset_candidates(name, cm, df, aligned)
            continue
        child = (kind == "distribution" or (kind == "frequencies" and "time_unit" not in cm.generator)) and \
            "calendar" not in cm.generator  # a day kept within its month is drawn alone, and after it
        generator = cm.generator
        if joint.level_tails(generator) and _unbounded(table.columns[name]):
            generator = {**generator, "min": None, "max": None}  # as it is drawn if it ends up under a level column
        found = joint.candidate(name, {"column": name}, generator, df[name], child=child)
        if found is not None and table.columns[name].distribution is not None:
            found.family = None  # the schema's distribution stays the column's marginal: binned edges only
        if found is not None:
            after = rules.computed_from(table.name, name, columns)
            if after:  # computed from other columns of the row: none of them may depend on it
                found.after = after
            candidates.append(found)
    for index, rows in aligned.items():
        fk = table.foreign_keys[index]
        for name, cm in fitted[fk.ref_table].columns.items():
            if cm.generator.get("kind") in _KEY_KINDS | _READ_FROM_CHILDREN or name not in rows.columns:
                continue
            found = joint.candidate(f"{fk.ref_table}.{name} via {fk.columns[0]}", {"fk": index, "column": name},
                                    cm.generator, rows[name], child=False)
            if found is not None:
                candidates.append(found)
    network = joint.fit_joint(candidates)
    depends: dict[str, set[str]] = {}
    for name, node in (network or {}).get("columns", {}).items():
        for given in (node["given"], node.get("given2") or {"fk": None}):
            if "fk" not in given:
                depends.setdefault(name, set()).add(given["column"])
    for name in columns:
        computed_from = rules.computed_from(table.name, name, columns)
        if computed_from:
            depends.setdefault(name, set()).update(computed_from)
    missing = {name: df[name].isna().to_numpy() for name, cm in columns.items()
               if name in df.columns and 0 < cm.null_rate < 1 and cm.generator.get("kind") not in _KEY_KINDS
               and cm.generator.get("kind") != "parent_column"}
    nulls = joint.fit_nulls(candidates, missing, depends)
    if nulls:
        network = {**(network or {"columns": {}}), "nulls": nulls}
    return network


def _threshold_rule(table: Table, name: str, node: Mapping[str, Any]) -> dict[str, Any]:
    """The listing of a level that holds exactly beyond a value of another column (dates written as dates)."""
    by = node["given"].get("column")
    cut = node["threshold"]["at"]
    by_type = table.columns[by].type if by in table.columns else None
    at: Any = cut
    if by_type == "date":
        at = str(pd.Timestamp(cut, unit="s").date())
    elif by_type == "datetime":
        at = pd.Timestamp(cut, unit="s").isoformat()
    return {"rule": "level past a value", "column": name, "level": node["threshold"]["level"], "by": by,
            "side": node["threshold"]["side"], "at": at}


def _unbounded(col: Column) -> bool:
    """Whether the schema leaves a column's range open (no ``min``, ``max`` or ``distribution`` hint)."""
    return col.min is None and col.max is None and col.distribution is None


def _offset_candidates(name: str, cm: ColumnModel, df: pd.DataFrame,
                       aligned: Mapping[int, pd.DataFrame]) -> list[joint.Candidate]:
    """An offset date takes part twice: its gap as a column the network may condition (stores ship the same
    day), and its date as a column others may depend on (a line's status on its ship date)."""
    out = []
    base = cm.generator["base"]
    source = aligned.get(base["fk"]) if "fk" in base else df
    if source is not None and base["column"] in source.columns:
        unit = 86400 if cm.generator["time_unit"] == "D" else 1
        gaps = (rules._seconds(df[name]) - rules._seconds(source[base["column"]])) // unit
        gap = cm.generator["gap"]
        found = joint.candidate(name, {"column": name}, gap, pd.Series(gaps).astype("Float64"),
                                child=gap.get("kind") in ("distribution", "frequencies"))
        if found is not None:
            found.scores = None  # a gap is drawn through its own bins, never by a Gaussian edge
            found.gives = False
            out.append(found)
    as_date = joint.candidate(f"{name} (date)", {"column": name}, {"kind": "offset"}, df[name], child=False)
    if as_date is not None:
        as_date.after = [name] + ([base["column"], f"{base['column']} (date)"] if "fk" not in base else [])
        out.append(as_date)
    return out


COPULA_MIN_ROWS = 20
"""Complete sample rows needed before correlations between columns are learned."""
COPULA_MIN_CORRELATION = 0.1
"""Below this |correlation| in every pair, columns are drawn independently."""


def _fit_copula(table: Table, columns: Mapping[str, ColumnModel], df: pd.DataFrame) -> dict[str, Any] | None:
    """A Gaussian copula over the table's numeric and date columns: the correlation of their normal
    scores (ranks mapped through the normal quantile), so dependencies seen in the samples survive
    while each column keeps its own fitted distribution. None when nothing is correlated.
    """
    from scipy import special

    names = [n for n, cm in columns.items()
             if cm.type in ("integer", "float", "date", "datetime") and n in df.columns
             and cm.generator["kind"] in ("distribution", "frequencies") and not cm.generator.get("unique")]
    if len(names) < 2:
        return None
    complete = df[names].dropna()
    if len(complete) < COPULA_MIN_ROWS:
        return None
    scores = np.column_stack([
        special.ndtri(complete[n].rank(method="average").to_numpy(dtype=np.float64) / (len(complete) + 1))
        for n in names])
    keep = scores.std(axis=0) > 0
    names = [n for n, k in zip(names, keep) if k]
    scores = scores[:, keep]
    if len(names) < 2:
        return None
    corr = np.corrcoef(scores, rowvar=False)
    off_diagonal = np.abs(corr[~np.eye(len(names), dtype=bool)])
    if not np.isfinite(corr).all() or off_diagonal.max() < COPULA_MIN_CORRELATION:
        return None
    return {"columns": names, "correlation": [[round(float(v), 6) for v in row] for row in corr]}


def _children_given(fk: ForeignKey, child: pd.DataFrame, parent: pd.DataFrame, parent_model: TableModel | None,
                    shape: Mapping[str, list] | None) -> dict[str, Any] | None:
    """The parent column the number of children depends on most (customers of one segment order more), and
    the children-per-parent shape within each of its bins, smoothed toward the overall shape. None when no
    column makes a significant difference (G-test) or the shape is not a plain histogram."""
    if parent_model is None or not shape or len(shape["counts"]) > joint.MAX_LEVEL_BINS or \
            not set(fk.columns) <= set(child.columns) or not set(fk.ref_columns) <= set(parent.columns) or \
            len(parent) < joint.MIN_ROWS:
        return None
    keys = pd.MultiIndex.from_frame(parent[list(fk.ref_columns)])
    if not keys.is_unique:
        return None
    at = keys.get_indexer(pd.MultiIndex.from_frame(child[list(fk.columns)]))
    per_parent = np.bincount(at[at >= 0], minlength=len(parent))
    grid = np.asarray(shape["counts"], dtype=np.float64)
    count_bins = np.searchsorted(grid, per_parent)
    count_bins[(count_bins >= len(grid)) | (grid[np.minimum(count_bins, len(grid) - 1)] != per_parent)] = -1
    best: tuple[float, joint.Candidate] | None = None
    for name, cm in parent_model.columns.items():
        if cm.generator.get("kind") in _KEY_KINDS | _READ_FROM_CHILDREN or name not in parent.columns:
            continue
        found = joint.candidate(name, {"column": name}, cm.generator, parent[name], child=False)
        if found is None:
            continue
        table = joint._contingency(found.bins, count_bins, joint.bin_count(found.spec), len(grid))
        mi, significant = joint._mutual_information(table)
        if significant and (best is None or mi > best[0]):
            best = (mi, found)
    if best is None:
        return None
    mi, found = best
    table = joint._contingency(found.bins, count_bins, joint.bin_count(found.spec), len(grid))
    overall = np.asarray(shape["weights"], dtype=np.float64)
    rows = table + joint.SMOOTHING * overall
    rows = np.vstack([rows / rows.sum(axis=1, keepdims=True), overall / overall.sum()])
    return {"column": found.name, "given_bins": found.spec, "mutual_information": round(mi, 6),
            "weights": [[round(float(v), 6) for v in row] for row in rows]}


def _ordered_by_parent(fk: ForeignKey, child: pd.DataFrame, parent: pd.DataFrame | None) -> bool:
    """Whether the sample rows come parent by parent (lineitem sorted by its order): the children of each
    parent together, parents in their own table's order. Without samples to tell, rows are interleaved."""
    if parent is None or not len(child) or not set(fk.columns) <= set(child.columns) \
            or not set(fk.ref_columns) <= set(parent.columns):
        return False
    keys = pd.MultiIndex.from_frame(parent[list(fk.ref_columns)])
    if not keys.is_unique:
        return False
    position = keys.get_indexer(pd.MultiIndex.from_frame(child[list(fk.columns)]))
    position = position[position >= 0]
    return len(position) > 1 and bool(np.all(np.diff(position) >= 0))


POISSON_SIGNIFICANCE = 0.001
"""Children-per-parent counts are taken as every parent alike (Poisson scatter) unless a G-test against the
Poisson law of their mean rejects it at this level."""


def _poisson_like(shape: Mapping[str, list] | None) -> bool:
    """Whether children-per-parent counts look like every parent being alike, the counts scattering by
    chance (Poisson of their mean): then the samples' spread is noise that does not grow with the row count
    (25 nations with ~60 customers each at one scale have ~600 each ten times larger, give or take ~25, not
    ~250), and the shape is dropped for uniform draws. Line counts fixed to 1..7 per order are not."""
    from scipy import stats

    if not shape or len(shape["counts"]) != len(shape["weights"]):
        return False
    counts = np.asarray(shape["counts"], dtype=np.float64)
    if not np.allclose(counts, np.round(counts)) or len(counts) > 64 or len(counts) == 1:
        return False  # quantiles of a long tail, or every parent with the same count: kept as learned
    weights = np.asarray(shape["weights"], dtype=np.float64)
    parents = float(shape.get("parents") or round(1.0 / weights[weights > 0].min()))
    observed_at = {int(c): w * parents for c, w in zip(counts, weights)}
    mean = float(sum(c * n for c, n in observed_at.items()) / parents)
    if mean <= 0:
        return False
    top = int(max(observed_at)) + 1
    support = np.arange(top + 1)
    expected = stats.poisson.pmf(support, mean) * parents
    expected[-1] = stats.poisson.sf(top - 1, mean) * parents
    observed = np.array([observed_at.get(int(k), 0.0) for k in support])
    # Pool neighbouring cells until each expects at least 5 parents.
    pooled_o, pooled_e, acc_o, acc_e = [], [], 0.0, 0.0
    for o, e in zip(observed, expected):
        acc_o, acc_e = acc_o + o, acc_e + e
        if acc_e >= 5:
            pooled_o.append(acc_o)
            pooled_e.append(acc_e)
            acc_o = acc_e = 0.0
    if pooled_e:
        pooled_o[-1] += acc_o
        pooled_e[-1] += acc_e
    if len(pooled_e) < 2:
        return True  # too few parents to tell them apart
    o, e = np.asarray(pooled_o), np.asarray(pooled_e)
    g = 2.0 * float(np.sum(np.where(o > 0, o * np.log(np.where(o > 0, o, 1.0) / e), 0.0)))
    return bool(stats.chi2.sf(g, max(len(o) - 2, 1)) > POISSON_SIGNIFICANCE)


POWER_LAW_FIT = 0.95
"""Share of the variance of log references that log rank must explain for a popularity to follow a power law."""
POWER_LAW_CURVATURE = 1.0
"""Largest bend (in log units over the ranks seen) of log references against log rank for a power law."""


def rank_exponent(per_parent: np.ndarray) -> float | None:
    """The exponent ``a`` when references per parent (``per_parent``, one count per parent row) fall off with the
    parent's popularity rank as ``rank ** -a`` (Zipf's rank-size law), from at least 8 referenced parents; None
    otherwise. The law is recognised by a straight line of log references against log rank (explaining at
    least ``POWER_LAW_FIT`` of their variance, bending by less than ``POWER_LAW_CURVATURE``: a gamma-like spread
    of customers' orders bends down); the exponent is the one whose spread matches the references' spread
    without the part chance adds (a variance above the mean), since sorting noisy counts steepens the line.
    A power law carries over to more parents: their most popular ones reach further."""
    counts = np.sort(np.asarray(per_parent, dtype=np.float64))[::-1]
    counts = counts[counts > 0]
    if len(counts) < 8 or np.ptp(counts) <= 0:
        return None
    x = np.log(np.arange(1, len(counts) + 1, dtype=np.float64))
    y = np.log(counts)
    slope, intercept = np.polyfit(x, y, 1)
    explained = 1.0 - float(np.var(y - (slope * x + intercept))) / float(np.var(y))
    bend = float(np.polyfit(x, y, 2)[0]) * float(np.ptp(x)) ** 2
    if explained < POWER_LAW_FIT or abs(bend) > POWER_LAW_CURVATURE or slope >= 0:
        return None
    mean = float(counts.mean())
    target = (float(counts.var()) - mean) / mean ** 2  # squared variation of popularity, chance taken out
    if not target > 0:
        return None
    ranks = np.arange(1, len(counts) + 1, dtype=np.float64)
    lo, hi = 0.0, 10.0
    for _ in range(50):  # the spread of rank ** -a grows with a
        a = (lo + hi) / 2.0
        w = ranks ** -a
        lo, hi = (a, hi) if float(w.var()) / float(w.mean()) ** 2 < target else (lo, a)
    return round((lo + hi) / 2.0, 6) if hi < 10.0 else None


def _without_chance_spread(shape: dict[str, Any]) -> dict[str, Any]:
    """A popularity shape with the scatter that chance adds taken out: references per parent vary by the
    parents' popularity plus Poisson noise (variance = mean); the generated picks add that noise again at
    their own scale, so the shape keeps only the rest (deviations of the referenced parents from their mean
    shrunk by ``sqrt((variance - mean) / variance)``; parents never referenced stay at zero)."""
    counts = np.asarray(shape["counts"], dtype=np.float64)
    weights = np.asarray(shape["weights"], dtype=np.float64)
    used = counts > 0  # parents never referenced stay so (half the products never reviewed)
    if used.sum() < 2:
        return shape
    w = weights[used] / weights[used].sum()
    mean = float(counts[used] @ w)
    variance = float(((counts[used] - mean) ** 2) @ w)
    if variance <= mean or mean <= 0:
        return shape
    shrink = np.sqrt((variance - mean) / variance)
    return {**shape, "counts": [round(float(mean + (c - mean) * shrink), 6) if c > 0 else 0.0 for c in counts]}


def _per_parent(fk: ForeignKey, child: pd.DataFrame, parent: pd.DataFrame) -> np.ndarray | None:
    """How many children each parent row has in the samples (zeros included, in no particular order)."""
    if not set(fk.columns) <= set(child.columns) or not set(fk.ref_columns) <= set(parent.columns):
        return None
    keys = child[list(fk.columns)].dropna()
    keys.columns = list(fk.ref_columns)
    per_parent = keys.groupby(list(fk.ref_columns), observed=True).size()
    parent_keys = pd.MultiIndex.from_frame(parent[list(fk.ref_columns)].dropna())
    child_keys = pd.MultiIndex.from_frame(per_parent.index.to_frame(index=False))
    sizes = per_parent.to_numpy()[child_keys.isin(parent_keys)]
    zeros = max(len(parent_keys) - len(sizes), 0)
    return np.concatenate([np.zeros(zeros, dtype=np.int64), sizes.astype(np.int64)])


def _children_shape(fk: ForeignKey, child: pd.DataFrame, parent: pd.DataFrame) -> dict[str, list] | None:
    """How many children each parent row has in the samples, as a histogram (zeros included).

    At most 64 distinct counts are kept exactly; longer tails are summarised by 64 quantiles.
    """
    counts = _per_parent(fk, child, parent)
    if counts is None or not len(counts):
        return None
    values, freq = np.unique(counts, return_counts=True)
    if len(values) > 64:
        quantiles = np.quantile(counts, np.linspace(0.0, 1.0, 64))
        return {"counts": [float(q) for q in quantiles], "weights": [1.0 / 64] * 64}
    return {"counts": [int(v) for v in values], "weights": [float(f) / len(counts) for f in freq],
            "parents": len(counts)}


def _fit_foreign_key(table: Table, col: Column, fk: ForeignKey, index: int, owner: int | None,
                     partner: int | None, values: pd.Series) -> ColumnModel:
    if fk.ref_table == table.name:
        role = "self"
    elif index == owner:
        role = "owner"
    elif index == partner:
        role = "partner"
    else:
        role = "draw"
    ref_col = fk.ref_columns[fk.columns.index(col.name)]
    null_rate = _null_rate(table.name, col, values) if role == "draw" else 0.0
    generator = {"kind": "foreign_key", "role": role, "foreign_key": index,
                 "references": f"{fk.ref_table}.{ref_col}"}
    return ColumnModel(col.name, col.type, null_rate, generator, int(values.notna().sum()))


def _fit_hierarchy(table: Table, fk: ForeignKey, df: pd.DataFrame) -> dict[str, Any]:
    """Root share and fan-out of a self-reference, from the samples (defaults without them)."""
    from .keys import hierarchy_stats

    column = fk.columns[0]
    stats_ = {"column": column, "root_share": 0.1, "fanout": 3.0, "max_depth": None}
    if len(df) and set(fk.columns) <= set(df.columns) and set(fk.ref_columns) <= set(df.columns):
        # A composite key is looked up as a whole; a row with a null in any of its columns is a root.
        keys = pd.MultiIndex.from_frame(df[list(fk.ref_columns)])
        parents = df[list(fk.columns)].set_axis(list(fk.ref_columns), axis=1)
        known = parents.notna().all(axis=1).to_numpy(dtype=bool)
        parent_index = np.full(len(df), -1, dtype=np.int64)
        parent_index[known] = keys.get_indexer(pd.MultiIndex.from_frame(parents[known]))
        learned = hierarchy_stats(parent_index, table=table.name, column=column)
        stats_.update({"root_share": float(learned["root_share"]) or 1.0 / len(df),
                       "fanout": float(learned["fanout"]) or 1.0,
                       "max_depth": int(learned["max_depth"])})
    return stats_


# -- value columns ----------------------------------------------------------------------

def _null_rate(table: str, col: Column, values: pd.Series) -> float:
    if col.nullable is False:
        return 0.0
    if len(values) == 0:
        return 0.1 if col.nullable else 0.0
    rate = float(values.isna().mean())
    if rate == 1.0 and not col.nullable and not _has_value_hints(col):
        raise SampleError(
            f"Column {where(table, col.name)} has only nulls in the samples, so nothing can be learned from it; "
            f"add sample values, give hints (values, min/max, semantic), or mark it 'nullable': true.",
            table=table, column=col.name)
    return rate


def _has_value_hints(col: Column) -> bool:
    return any(v is not None for v in (col.values, col.min, col.max, col.semantic, col.pattern, col.distribution))


def fit_column(table: str, col: Column, values: pd.Series) -> ColumnModel:
    """What to learn for one value column (not a key) from its samples and hints: which generator
    kind fits it, then that generator's own ``fit``."""
    null_rate = _null_rate(table, col, values)
    nonnull = values.dropna()
    ctx = FitContext(table)
    if col.values is not None and col.type not in ("date", "datetime") or col.type == "boolean":
        generator = Frequencies.fit(nonnull, col, ctx)
    elif col.type in ("integer", "float", "date", "datetime"):
        generator = Distribution.fit(nonnull, col, ctx)
    elif col.type == "uuid":
        generator = Uuid.fit(nonnull, col, ctx)
    elif col.type == "category":
        generator = Frequencies.fit(nonnull, col, ctx) if len(nonnull) else _category_without_samples(table, col)
    else:
        generator = _fit_string(table, col, nonnull)
    if col.unique:
        generator = {**generator, "unique": True}
    return ColumnModel(col.name, col.type, null_rate, generator, int(len(nonnull)))


THIN_LEVEL_ROWS = 5
"""Sample rows per level below which level shares are shrunk toward equal shares."""


def _thin_levels(table: Table, columns: dict[str, ColumnModel], df: pd.DataFrame) -> dict[str, ColumnModel]:
    """Level columns seen in fewer than ``THIN_LEVEL_ROWS`` sample rows per level get their shares shrunk
    (:func:`shrunk_frequencies`): toward equal shares, or, when the column determines a coarser level column in
    every sample row (a category its department), toward the coarser column's shares split equally among the
    levels under each, so the coarser column keeps its own shares."""
    thin = [n for n, cm in columns.items() if n in df.columns and table.columns[n].values is None
            and cm.generator.get("kind") == "frequencies" and "time_unit" not in cm.generator
            and not cm.generator.get("unique") and len(cm.generator["values"]) >= 2
            and cm.sample_count < THIN_LEVEL_ROWS * len(cm.generator["values"])]
    if not thin:
        return columns
    out = dict(columns)
    levelled = [n for n, cm in columns.items() if n in df.columns and cm.generator.get("kind") == "frequencies"]
    for name in thin:
        generator = columns[name].generator
        target = None
        for other in levelled:
            coarse = columns[other].generator
            if other == name or len(coarse["values"]) >= len(generator["values"]):
                continue
            target = _grouped_target(df[name], df[other], generator["values"], coarse)
            if target is not None:
                break
        out[name] = replace(columns[name], generator=shrunk_frequencies(generator, columns[name].sample_count, target))
    return out


def _grouped_target(fine: pd.Series, coarse: pd.Series, levels: list[Any], coarse_generator: Mapping[str, Any]) \
        -> np.ndarray | None:
    """Shares for ``levels`` of ``fine`` when it determines ``coarse`` in every sample row where both are set
    (each level of ``coarse`` split equally among the fine levels under it); None when it does not."""
    both = fine.notna() & coarse.notna()
    if both.sum() < 2 or both.sum() < 0.9 * fine.notna().sum():
        return None
    pairs = pd.DataFrame({"f": fine[both].astype(str).to_numpy(), "c": coarse[both].astype(str).to_numpy()})
    per_level = pairs.groupby("f")["c"].agg(["nunique", "first"])
    if (per_level["nunique"] > 1).any() or per_level["first"].nunique() < 2:
        return None
    mapped = per_level["first"].reindex([str(v) for v in levels])
    if mapped.isna().any():
        return None
    shares = dict(zip((str(v) for v in coarse_generator["values"]), coarse_generator["weights"]))
    weight = mapped.map(shares).astype(float)
    if weight.isna().any() or not weight.sum() > 0:
        return None
    target = (weight / mapped.map(mapped.value_counts())).to_numpy(dtype=np.float64)
    return target / target.sum()


def shrunk_frequencies(generator: dict[str, Any], n: int, target: np.ndarray | None = None) -> dict[str, Any]:
    """Level weights learned from fewer than ``THIN_LEVEL_ROWS`` sample rows per level, pulled toward ``target``
    (equal shares by default) by the James-Stein intensity of Hausser and Strimmer (2009): as far as the
    spread of the shares can be chance. Twelve categories seen in 30 rows move most of the way to equal
    shares. With more rows per level the weights are the generator's own (equal shares when a G-test finds
    only chance differences)."""
    w = np.asarray(generator["weights"], dtype=np.float64)
    k = len(w)
    if k < 2 or n < 2 or n >= THIN_LEVEL_ROWS * k or not w.sum() > 0:
        return generator
    p = w / w.sum()
    target = np.full(k, 1.0 / k) if target is None or len(target) != k else target
    spread = float(((p - target) ** 2).sum())
    if spread <= 0:
        return generator
    intensity = float(np.clip((1.0 - float((p * p).sum())) / ((n - 1) * spread), 0.0, 1.0))
    if intensity < 1e-3:
        return generator
    return {**generator, "weights": [float(v) for v in intensity * target + (1.0 - intensity) * p]}


def _category_without_samples(table: str, col: Column) -> dict[str, Any]:
    semantic = col.semantic or text.detect_semantic(col.name)
    if semantic:
        return {"kind": "text", "text": text.fit_text(table, col.name, pd.Series([], dtype="string"),
                                                      semantic=semantic)}
    levels = [f"{col.name}_{i}" for i in range(1, 6)]
    return {"kind": "frequencies", "values": levels, "weights": [0.2] * 5}


def _fit_string(table: str, col: Column, values: pd.Series) -> dict[str, Any]:
    strings = values.astype("string")
    n, distinct = len(strings), int(strings.nunique())
    if col.semantic is None and col.pattern is None and n and distinct <= MAX_CATEGORY_LEVELS and distinct * 2 <= n \
            and not col.unique and text.detect_semantic(col.name, strings) not in _PERSONAL:
        # a category keeps its sample values: never for names, emails, phones, addresses (a person's own)
        return Frequencies.fit(strings, col, FitContext(table))
    return TextSemantic.fit(strings, col, FitContext(table))


