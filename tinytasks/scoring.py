"""Turning per-item results, keyed by item, into a task's estimated full
score with its parameters. Statistics live in `estimators`; this maps keys
to anchor positions and checks the input.

A task is named by a shipped tiny task's name (`tiny_mmlu`) or by the path
of its parameter file (a task folder `tinytasks fit` wrote for a benchmark of
your own)."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tinytasks.estimators import TinyEstimator, read_param_document

from .item_texts import anchor_texts
from .registry import BENCHMARK_OF_TASK
from .registry import params_path as shipped_params_path

log = logging.getLogger("tinytasks")


@dataclass
class TaskEstimate:
    """One model's estimate for one tiny task."""

    task: str
    score: float
    lower: float
    upper: float
    stderr: float
    accuracy: float
    n_answered: int
    n_anchors: int
    extrapolated: bool
    lz: float
    misfit: bool
    params_sha256: str


def params_path(task: str) -> Path:
    """The parameter file of a shipped task's name, or `task` itself when it
    is the path of a parameter file."""
    if task in BENCHMARK_OF_TASK or not task.endswith(".json"):
        return shipped_params_path(task)
    path = Path(task)
    if not path.is_file():
        raise ValueError(f"parameter file {task} not found; a task is a shipped tiny task's name or the path of "
                         "a parameter file written by `tinytasks fit`")
    return path


def task_label(task: str) -> str:
    """How messages name a task: its name in its parameter file."""
    return task if task in BENCHMARK_OF_TASK else str(load_task_params(task)[1].get("task", task))


@functools.lru_cache(maxsize=None)
def load_task_params(task: str, adaptive: bool = False):
    """(estimator, metadata, sha256) of a task's checked parameter file; the
    estimator has its adaptive score maps only when `adaptive` is asked for."""
    doc = read_param_document(params_path(task), adaptive)
    return TinyEstimator.from_dict(doc["estimator"]), doc["metadata"], doc["sha256"]


@functools.lru_cache(maxsize=None)
def task_anchors(task: str) -> list[dict]:
    """A task's anchors in parameter-file order: key, calibration item id,
    match text and few-shot prefix."""
    return anchor_texts(params_path(task), load_task_params(task)[1])


def anchor_keys(task: str) -> list[str]:
    _, meta, _ = load_task_params(task)
    return [a["key"] for a in meta["anchors"]]


def anchor_row(task: str, keyed: dict[str, float]) -> np.ndarray:
    """{item key: correctness} as one row over the task's anchors, in
    parameter-file order (NaN where an anchor has no result)."""
    keys = anchor_keys(task)
    position = {k: i for i, k in enumerate(keys)}
    unknown = [k for k in keyed if k not in position]
    if unknown:
        raise ValueError(
            f"{task}: {len(unknown)} result(s) for items that are not anchors of this task's parameter file "
            f"(e.g. {unknown[0]!r}); the dataset and the parameters disagree. Reinstall tinytasks or refit."
        )
    if not keyed:
        raise ValueError(f"{task}: no results to estimate from")
    row = np.full(len(keys), np.nan)
    for k, v in keyed.items():
        if not np.isfinite(v):
            raise ValueError(f"{task}: result for item {k} is {v}; expected a number in [0, 1]")
        row[position[k]] = float(v)
    return row


def estimate_task(task: str, keyed: dict[str, float]) -> TaskEstimate:
    """Estimate from {item key: correctness in [0, 1]}; anchors absent from
    `keyed` are treated as not answered (wider interval, and a warning)."""
    est, meta, sha = load_task_params(task)
    row = anchor_row(task, keyed)
    name = task_label(task)
    n_anchors = row.size
    n_missing = int(np.isnan(row).sum())
    if n_missing:
        log.warning(
            "%s: %d of %d anchors have no result (e.g. --limit or a partial run); the estimate uses the %d "
            "answered and its interval is widened accordingly", name, n_missing, n_anchors, n_anchors - n_missing,
        )
    res = est.predict(row[None, :])
    if res.extrapolated[0]:
        log.warning("%s: the anchor accuracy is beyond that of every calibration model; the estimate is an "
                    "extrapolation", name)
    if res.misfit[0]:
        log.warning("%s: unusual answer pattern (person-fit lz %.2f, below %.2f, the level of the %.0f%% least "
                    "typical calibration models): hard items right and easy ones wrong can mean contamination "
                    "or a broken prompt format; the estimate may not be trustworthy", name, res.lz[0],
                    est.person_fit_.threshold, 100 * est.person_fit_.alpha)
    return TaskEstimate(
        task=name, score=float(res.score[0]), lower=float(res.lower[0]), upper=float(res.upper[0]),
        stderr=float(res.stderr[0]),
        accuracy=float(res.accuracy[0]), n_answered=int(res.n_answered[0]), n_anchors=res.n_anchors,
        extrapolated=bool(res.extrapolated[0]), lz=float(res.lz[0]), misfit=bool(res.misfit[0]), params_sha256=sha,
    )


# Columns of estimate_table's result, named as the harness names the task's metrics.
TABLE_COLUMNS = ("n_answered", "tiny_acc", "est_score", "est_score_stderr", "est_lower", "est_upper", "extrapolated",
                 "person_fit_lz", "misfit")


def estimate_table(table: pd.DataFrame, task: str | None = None, params_file: str | Path | None = None,
                   ) -> pd.DataFrame:
    """Every model's estimate (one row of `table`: models x items, 0/1/NaN)
    with a shipped task's parameters or a parameter file of your own.

    Columns name anchors by key (`mmlu:...`) or by the calibration data's item
    id (each anchor's `item` in the parameter file, e.g. a column of the shared
    leaderboard matrices). Other columns are left out, with a warning; anchors
    without a column count as not answered (wider interval). A model that
    answered no anchor gets no estimate (NaN), and a warning names it."""
    if (task is None) == (params_file is None):
        raise ValueError("give either a tiny task name or a parameter file")
    if task is not None:
        est, meta, _ = load_task_params(task)
    else:
        doc = read_param_document(params_file)
        est, meta = TinyEstimator.from_dict(doc["estimator"]), doc["metadata"]
    name = meta.get("task", str(params_file))
    position = {}
    for i, a in enumerate(meta["anchors"]):
        for label in {a["key"], str(a["item"])}:
            position[label] = i
    cols = [str(c) for c in table.columns]
    matched = [c for c in cols if c in position]
    if not matched:
        raise ValueError(f"{name}: no column of the table names one of its {len(meta['anchors'])} anchors; "
                         f"name columns by anchor key (e.g. {meta['anchors'][0]['key']!r}) or by the calibration "
                         f"data's item id (e.g. {meta['anchors'][0]['item']!r}); got e.g. {cols[:3]}")
    twice = pd.Series([position[c] for c in matched]).duplicated()
    if twice.any():
        dup = matched[int(np.flatnonzero(twice)[0])]
        raise ValueError(f"{name}: two columns name the same anchor (one of them {dup!r}, by key and by item id)")
    ignored = len(cols) - len(matched)
    if ignored:
        log.warning("%s: %d of %d columns are not anchors of this task and are left out (e.g. %r)", name,
                    ignored, len(cols), next(c for c in cols if c not in position))
    absent = len(meta["anchors"]) - len(matched)
    if absent:
        log.warning("%s: %d of %d anchors have no column and count as not answered (wider interval)", name,
                    absent, len(meta["anchors"]))
    y = np.full((len(table), len(meta["anchors"])), np.nan)
    y[:, [position[c] for c in matched]] = table.set_axis(cols, axis=1)[matched].to_numpy(dtype=float)
    answered = ~np.isnan(y).all(1)
    out = pd.DataFrame(np.nan, index=table.index, columns=list(TABLE_COLUMNS))
    out["n_answered"] = (~np.isnan(y)).sum(1)
    if not answered.all():
        log.warning("%s: %d model(s) answered none of the anchors and get no estimate (first: %r)", name,
                    int((~answered).sum()), table.index[int(np.argmin(answered))])
    if answered.any():
        res = est.predict(y[answered])
        out.loc[answered, list(TABLE_COLUMNS[1:])] = np.column_stack(
            [res.accuracy, res.score, res.stderr, res.lower, res.upper, res.extrapolated, res.lz, res.misfit])
    return out.astype({"extrapolated": "Int64", "misfit": "Int64"})
