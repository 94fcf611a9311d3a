"""Turning per-item results, keyed by item, into a task's estimated full
score with the shipped parameters. Statistics live in `estimators`; this maps
keys to anchor positions and checks the input."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import numpy as np

from estimators import TinyEstimator, read_param_document

from .registry import params_path

log = logging.getLogger("tinytasks")


@dataclass
class TaskEstimate:
    """One model's estimate for one tiny task."""

    task: str
    score: float
    lower: float
    upper: float
    accuracy: float
    n_answered: int
    n_anchors: int
    extrapolated: bool
    lz: float
    misfit: bool
    params_sha256: str


@functools.lru_cache(maxsize=None)
def load_task_params(task: str):
    """(estimator, metadata, sha256) of a task's checked parameter file."""
    doc = read_param_document(params_path(task))
    return TinyEstimator.from_dict(doc["estimator"]), doc["metadata"], doc["sha256"]


def anchor_keys(task: str) -> list[str]:
    _, meta, _ = load_task_params(task)
    return [a["key"] for a in meta["anchors"]]


def estimate_task(task: str, keyed: dict[str, float]) -> TaskEstimate:
    """Estimate from {item key: correctness in [0, 1]}; anchors absent from
    `keyed` are treated as not answered (wider interval, and a warning)."""
    est, meta, sha = load_task_params(task)
    keys = [a["key"] for a in meta["anchors"]]
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
    n_missing = int(np.isnan(row).sum())
    if n_missing:
        log.warning(
            "%s: %d of %d anchors have no result (e.g. --limit or a partial run); the estimate uses the %d "
            "answered and its interval is widened accordingly", task, n_missing, len(keys), len(keys) - n_missing,
        )
    res = est.predict(row[None, :])
    if res.extrapolated[0]:
        log.warning("%s: the anchor accuracy is beyond that of every calibration model; the estimate is an "
                    "extrapolation", task)
    if res.misfit[0]:
        log.warning("%s: unusual answer pattern (person-fit lz %.2f, below %.2f, the level of the %.0f%% least "
                    "typical calibration models): hard items right and easy ones wrong can mean contamination "
                    "or a broken prompt format; the estimate may not be trustworthy", task, res.lz[0],
                    est.person_fit_.threshold, 100 * est.person_fit_.alpha)
    return TaskEstimate(
        task=task, score=float(res.score[0]), lower=float(res.lower[0]), upper=float(res.upper[0]),
        accuracy=float(res.accuracy[0]), n_answered=int(res.n_answered[0]), n_anchors=res.n_anchors,
        extrapolated=bool(res.extrapolated[0]), lz=float(res.lz[0]), misfit=bool(res.misfit[0]), params_sha256=sha,
    )
