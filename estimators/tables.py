"""Reading a models-by-items correctness table and models' full scores from CSV."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Collection, Sequence

import numpy as np
import pandas as pd

from .checks import as_response_matrix


@dataclass
class CalibrationData:
    """Aligned calibration data: model names, item keys, 0/1/NaN responses
    (models x items) and full scores (0-100), plus a hash of the inputs."""

    models: list[str]
    items: list[str]
    responses: np.ndarray
    scores: np.ndarray
    source_sha256: str


def _require(path: str | Path, what: str) -> Path:
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{what} file {p} not found")
    return p


def read_responses_csv(path: str | Path) -> pd.DataFrame:
    """A CSV with a `model` column and one 0/1/empty column per item."""
    p = _require(path, "responses")
    expected = "a CSV file whose first row names a 'model' column and one column per item (cells 0, 1 or empty)"
    try:
        df = pd.read_csv(p, dtype={"model": str})
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as e:
        raise ValueError(f"{p} is not {expected} ({type(e).__name__})") from e
    if "model" not in df.columns:
        raise ValueError(f"{p}: expected {expected}; its first row is {list(df.columns)[:4]}")
    df = df.set_index("model")
    if df.index.duplicated().any():
        raise ValueError(f"{p}: model names repeat, e.g. {df.index[df.index.duplicated()][0]!r}")
    df.columns = df.columns.astype(str)
    values = df.apply(pd.to_numeric, errors="coerce")
    bad = (values.isna() & df.notna()) | (values.notna() & ~values.isin([0, 1]))
    if bad.to_numpy().any():
        r, c = np.argwhere(bad.to_numpy())[0]
        cell = str(df.iat[r, c])
        raise ValueError(f"{p}, row {r + 2} (model {df.index[r]!r}), column {df.columns[c]!r}: {cell!r} is "
                         "not a result; cells must be 0, 1 or empty (not asked)")
    as_response_matrix(values.to_numpy(dtype=float), name=str(p))
    return values.astype(float)


def read_scores_csv(path: str | Path, score_column: str = "score", model_column: str = "model") -> pd.Series:
    """A CSV with `model_column` and `score_column` (full-benchmark score, 0-100)."""
    p = _require(path, "scores")
    df = pd.read_csv(p, dtype={model_column: str})
    for col in (model_column, score_column):
        if col not in df.columns:
            raise ValueError(f"{p}: needs a {col!r} column; has {list(df.columns)}")
    s = df.drop_duplicates(model_column).set_index(model_column)[score_column].astype(float)
    s.index.name = "model"
    return s


def _check_agreement(merged: pd.DataFrame, part: pd.DataFrame, name: str, first: str) -> None:
    """Items both tables hold must have the same answers for the models both hold."""
    models = merged.index.intersection(part.index)
    shared = merged.columns.intersection(part.columns)
    a, b = merged.loc[models, shared].to_numpy(float), part.loc[models, shared].to_numpy(float)
    both = ~np.isnan(a) & ~np.isnan(b)
    if (a[both] != b[both]).any():
        raise ValueError(f"{name} disagrees with {first} on {int((a[both] != b[both]).sum())} answers to "
                         f"items both hold; they must come from the same evaluation runs")


def merge_response_tables(tables: Sequence[pd.DataFrame], names: Sequence[str]) -> pd.DataFrame:
    """One models x items table from several that cover different item pools
    of the same benchmark: the models found in every table, the first
    table's items then each later table's new ones. An item in two tables
    must have the same answers in both."""
    models = tables[0].index
    for df in tables[1:]:
        models = models[models.isin(df.index)]
    merged = tables[0].loc[models]
    for df, name in zip(tables[1:], names[1:]):
        part = df.loc[models]
        _check_agreement(merged, part, name, names[0])
        merged = pd.concat([merged, part.drop(columns=merged.columns.intersection(part.columns))], axis=1)
    return merged


def add_supplements(table: pd.DataFrame, supplements: Sequence[pd.DataFrame], names: Sequence[str],
                    first: str = "the main pools", keep: Collection[str] | None = None) -> pd.DataFrame:
    """`table` with the new items of `supplements`, pools of the same
    benchmark recorded for only some of its models: every model of `table`
    stays, with NaN where a supplement has no answers for it; models only in
    a supplement are not added. `keep` limits the added items (e.g. to those
    whose text is known). Items both hold must have the same answers."""
    out = table
    for df, name in zip(supplements, names):
        _check_agreement(out, df, name, first)
        new = [c for c in df.columns if c not in out.columns and (keep is None or c in keep)]
        out = pd.concat([out, df[new].reindex(out.index)], axis=1)
    return out


def join_response_tables(tables: Sequence[pd.DataFrame], names: Sequence[str]) -> pd.DataFrame:
    """Every model and item of several tables, in order of first appearance,
    NaN where no table has the answer. An item in two tables must have the
    same answers for the models both hold."""
    out = tables[0]
    for df, name in zip(tables[1:], names[1:]):
        _check_agreement(out, df, name, names[0])
        rows = out.index.append(df.index.difference(out.index, sort=False))
        cols = out.columns.append(df.columns.difference(out.columns, sort=False))
        out = out.combine_first(df).reindex(index=rows, columns=cols)
    return out


def load_calibration_data(
    responses_path: str | Path | Sequence[str | Path], scores_path: str | Path, score_column: str = "score",
    model_column: str = "model", supplements: Sequence[str | Path] = (), supplement_items: Collection[str] | None = None,
) -> CalibrationData:
    """Models present in the responses and the scores file (with a finite
    score), in the responses' order. Several responses files (pools of the
    same benchmark) are merged by `merge_response_tables`; `supplements`
    (pools recorded for only some of those models) add their items, limited
    to `supplement_items`, by `add_supplements`."""
    paths = [responses_path] if isinstance(responses_path, (str, Path)) else list(responses_path)
    if not paths:
        raise ValueError("no responses file given")
    r = merge_response_tables([read_responses_csv(p) for p in paths], [str(p) for p in paths])
    if supplements:
        r = add_supplements(r, [read_responses_csv(p) for p in supplements], [str(p) for p in supplements],
                            str(paths[0]), supplement_items)
    s = read_scores_csv(scores_path, score_column, model_column)
    s = s[np.isfinite(s)]
    common = r.index[r.index.isin(s.index)]
    if len(common) < 10:
        raise ValueError(
            f"only {len(common)} models have both responses and a score; at least 10 are needed to fit"
        )
    h = hashlib.sha256()
    for p in (*paths, *supplements, scores_path):
        h.update(Path(p).read_bytes())
    return CalibrationData(
        models=list(common), items=list(r.columns), responses=r.loc[common].to_numpy(dtype=float),
        scores=s.loc[common].to_numpy(dtype=float), source_sha256=h.hexdigest(),
    )
