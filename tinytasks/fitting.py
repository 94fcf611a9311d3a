"""`tinytasks fit`: calibration data -> parameter file + validation report."""

from __future__ import annotations

import json
import os
import time
from importlib.metadata import version
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from tinytasks.estimators import TinyEstimator, load_estimator, write_param_file
from tinytasks.estimators.adaptive_map import MIN_ANCHORS
from tinytasks.estimators.chance import ChanceLevel
from tinytasks.estimators.person_fit import DEFAULT_ALPHA
from tinytasks.estimators.validation import cross_validate_budgets, model_owners
from tinytasks.estimators.tables import CalibrationData

from . import __version__
from .item_texts import entries_digest, write_item_texts
from .task_yaml import record_params_hash

REPORT_BUDGETS = (10, 25, 50, 100, None)
HALF_POOL = "half"  # a budget: half of the eligible pool, rounded down
# Fits reproduce byte for byte only with the same versions of these (scripts/constraints.txt).
NUMERICAL_LIBRARIES = ("numpy", "scipy", "scikit-learn", "pandas")


def numerical_library_versions() -> dict[str, str]:
    """Installed versions of the libraries a fit's exact digits depend on."""
    return {name: version(name) for name in NUMERICAL_LIBRARIES}


@dataclass(frozen=True)
class FitSettings:
    """What a fit is run with; stored in the parameter file."""

    budget: int | None = None
    anchor_method: str = "supervised"
    n_dims: int = 3
    seed: int = 0
    n_folds: int = 5
    chance: ChanceLevel | None = None

    def anchors_for(self, n_eligible: int) -> int:
        """The number of anchors for a pool with `n_eligible` eligible items."""
        return n_eligible if self.budget is None else min(self.budget, n_eligible)

    def estimator(self, budget: int | None) -> TinyEstimator:
        """An unfitted estimator with these settings and `budget` anchors."""
        return TinyEstimator(budget, self.anchor_method, self.n_dims, self.seed, chance=self.chance)


def eligible_indices(data: CalibrationData, items: pd.DataFrame | None) -> np.ndarray:
    """Indices of the pool items that may be anchors: those in the item table."""
    if items is None:
        return np.arange(len(data.items))
    known = set(items["item"].astype(str))
    idx = np.array([i for i, c in enumerate(data.items) if c in known], dtype=int)
    if idx.size == 0:
        raise ValueError("no response column appears in the item table; check its `item` column")
    return idx


def parse_budgets(text: str) -> tuple:
    """'10,25,half,all' -> (10, 25, HALF_POOL, None); 'none' or '' -> () (no report)."""
    out = []
    for part in text.split(","):
        part = part.strip()
        if part in ("", "none"):
            continue
        out.append(None if part in ("all", "pool") else HALF_POOL if part == HALF_POOL else int(part))
    return tuple(out)


def resolve_budget(budget: int | str | None, pool_size: int) -> int | None:
    """A report budget as a number of items (None: the whole pool)."""
    return pool_size // 2 if budget == HALF_POOL else budget


def validation_table(
    data: CalibrationData, eligible: np.ndarray, settings: FitSettings,
    budgets=REPORT_BUDGETS, progress: Callable[[str], None] = print, group_by_owner: bool = True,
) -> list[dict]:
    """Cross-validated metrics of the estimator and the baselines per budget
    (None: every eligible item; HALF_POOL: half of them); budgets above the
    eligible pool are skipped. The folds keep each model owner on one side
    (see model_owners) unless `group_by_owner` is False (random folds)."""
    half = resolve_budget(HALF_POOL, eligible.size) if HALF_POOL in budgets else None
    budgets = [b for b in dict.fromkeys(resolve_budget(b, eligible.size) for b in budgets)
               if b is None or b < eligible.size]
    if not budgets:
        return []
    grouping = ", grouped by owner" if group_by_owner else ""
    progress(f"  cross-validating budgets {[b or 'all' for b in budgets]} "
             f"({settings.n_folds} folds over {len(data.models)} models{grouping})")
    results = cross_validate_budgets(
        data.responses, data.scores,
        settings.estimator,
        budgets, n_folds=settings.n_folds, seed=settings.seed, eligible=eligible,
        progress=lambda m: progress("    " + m), groups=model_owners(data.models) if group_by_owner else None,
    )
    return [{"budget": int(b or eligible.size), "whole_pool": b is None, "half_pool": b is not None and b == half,
             "fit_seconds": res.fit_seconds, **res.metrics} for b, res in results.items()]


def fit_estimator(data: CalibrationData, eligible: np.ndarray, settings: FitSettings,
                  progress: Callable[[str], None] = print, task: str = "task",
                  adaptive: bool = True) -> tuple[TinyEstimator, float]:
    """The fitted estimator (with its score maps for adaptive tests when
    `adaptive` and it has enough anchors) and the seconds the fit took."""
    budget = settings.anchors_for(eligible.size)
    progress(f"{task}: fitting on {len(data.models)} models x {len(data.items)} items, budget {budget}")
    t0 = time.perf_counter()
    est = settings.estimator(budget).fit(data.responses, data.scores, eligible)
    if not adaptive:
        progress(f"{task}: no score maps for adaptive tests (not asked for)")
    elif budget >= MIN_ANCHORS:
        progress(f"{task}: fitting the score maps for adaptive tests (replaying {len(data.models)} models' answers)")
        est.fit_adaptive(data.responses, data.scores)
    else:
        progress(f"{task}: {budget} anchors are too few for adaptive tests (need {MIN_ANCHORS}); none fitted")
    return est, time.perf_counter() - t0


def write_task_files(
    task: str, benchmark: str, est: TinyEstimator, data: CalibrationData, items: pd.DataFrame | None, out: Path,
    settings: FitSettings, budget: int, source: dict, item_texts: Path | None = None, items_about: dict | None = None,
) -> dict:
    """Write the parameter file `out` of a fit with `budget` anchors, and the
    anchors' texts (and documents, where `items` has a `doc` column) into
    `item_texts` (default items.json.gz beside it), which names their
    source and licence (`items_about`); returns the written manifest."""
    by_item = items.set_index(items["item"].astype(str)) if items is not None else None
    anchors, texts = [], {}
    for idx, w in zip(est.anchors_.items, est.anchors_.weights):
        col = data.items[idx]
        key = by_item.loc[col, "key"] if by_item is not None else col
        anchors.append({"pool_index": int(idx), "item": col, "weight": float(w), "key": key})
        if by_item is not None:
            texts[key] = {"match_text": by_item.loc[col, "match_text"],
                          "fewshot_prefix": by_item.loc[col, "fewshot_prefix"]}
            doc = by_item.loc[col, "doc"] if "doc" in by_item.columns else None
            if isinstance(doc, dict):
                texts[key]["doc"] = doc
            donor = by_item.loc[col, "prefix_from"] if "prefix_from" in by_item.columns else ""
            if isinstance(donor, str) and donor:
                texts[key]["prefix_from"] = donor
    metadata = {
        "task": task, "benchmark": benchmark, "tinytasks_version": __version__,
        "estimator": "tinytasks spline-IRT (M2PL EAP + calibrated score map, conformal interval)",
        "fit_settings": asdict(settings) | {"budget": budget},
        "anchors_chosen_by": est.anchors_.method,  # "all", or the anchor method actually used (see select_anchors)
        "fitted_with": numerical_library_versions(),
        "source": source | {"n_models": len(data.models), "n_pool_items": len(data.items),
                            "input_sha256": data.source_sha256},
        "anchors": anchors,
    }
    if texts:
        item_texts = item_texts or out.parent / "items.json.gz"
        write_item_texts(item_texts, benchmark, texts, items_about)
        metadata["item_texts"] = {"file": Path(os.path.relpath(item_texts, out.parent)).as_posix(),
                                  "sha256": entries_digest(texts)}
    return write_param_file(out, est, metadata)


def write_report(task: str, benchmark: str, data: CalibrationData, eligible: np.ndarray, out: Path,
                 settings: FitSettings, report_budgets=REPORT_BUDGETS,
                 progress: Callable[[str], None] = print) -> dict:
    """Cross-validate the fit's configuration and write report.json/report.md
    beside the parameter file `out`, with pinned examples read back from it."""
    table = validation_table(data, eligible, settings, report_budgets, progress)
    loaded, metadata = load_estimator(out)
    report = {"task": task, "benchmark": benchmark, "default_budget": metadata["fit_settings"]["budget"],
              "source": metadata["source"], "fit_settings": metadata["fit_settings"],
              "folds": "grouped by model owner", "validation": table,
              "pinned_examples": pinned_examples(loaded, data)}
    out.parent.joinpath("report.json").write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    out.parent.joinpath("report.md").write_text(report_markdown(report))
    return report


def fit_task(
    task: str, benchmark: str, data: CalibrationData, items: pd.DataFrame | None, out: Path,
    settings: FitSettings, source: dict, report_budgets=REPORT_BUDGETS, progress: Callable[[str], None] = print,
    item_texts: Path | None = None, adaptive: bool = True, items_about: dict | None = None,
) -> dict:
    """Fit, write `out` (parameter file, item texts, the YAML's hash) and the
    validation report beside it; `adaptive`: also fit the score maps for
    adaptive tests. Returns the report."""
    eligible = eligible_indices(data, items)
    est, seconds = fit_estimator(data, eligible, settings, progress, task, adaptive)
    doc = write_task_files(task, benchmark, est, data, items, out, settings, settings.anchors_for(eligible.size),
                           source, item_texts, items_about)
    progress(f"{task}: wrote {out} (fit {seconds:.1f}s)")
    if record_params_hash(out.parent / f"{task}.yaml", doc["sha256"]):
        progress(f"{task}: recorded the parameter file's SHA-256 in {task}.yaml")
    return write_report(task, benchmark, data, eligible, out, settings, report_budgets, progress)


def pinned_example_rows(est: TinyEstimator, data: CalibrationData, seed: int = 0) -> list[tuple[str, np.ndarray]]:
    """(what, anchor answers) of the pinned examples: the calibration models
    with the lowest, median and highest score; the median one with a tenth
    of its anchors unanswered (its missing answers imputed) and with half
    unanswered (the partial map); and two random patterns of the chance
    level's own: at half the chance accuracy and at the chance accuracy
    (where the chance level acts; all wrong when it is 0)."""
    order = np.argsort(data.scores, kind="stable")
    ya = data.responses[:, est.anchors_.items]
    rng = np.random.default_rng(seed)
    n = ya.shape[1]
    mid = ya[order[len(order) // 2]]
    rows = [(f"calibration model {data.models[order[0]]} (lowest score)", ya[order[0]]),
            (f"calibration model {data.models[order[len(order) // 2]]} (median score)", mid),
            (f"calibration model {data.models[order[-1]]} (highest score)", ya[order[-1]])]
    for share in (0.1, 0.5):
        row = mid.copy()
        row[rng.choice(n, size=max(int(share * n), 1), replace=False)] = np.nan
        if np.isnan(row).all():
            row[0] = 1.0
        rows.append((f"median model, {share:.0%} of the anchors unanswered", row))
    p = est.chance.accuracy if est.chance is not None else 0.0
    for share in (0.5, 1.0):
        rows.append((f"random answers at {share:g} x the chance accuracy {p:.3f}",
                     (rng.random(n) < share * p).astype(float)))
    return rows


def pinned_examples(est: TinyEstimator, data: CalibrationData) -> list[dict]:
    """Estimates of `pinned_example_rows` from the stored file (one model at a
    time, as the harness estimates), for the regression test of shipped
    parameters and the test that estimates do not depend on the CPU."""
    out = []
    for what, row in pinned_example_rows(est, data):
        res = est.predict(row[None, :])
        out.append({"what": what, "anchor_responses": [None if np.isnan(v) else int(v) for v in row],
                    "score": float(res.score[0]), "lower": float(res.lower[0]), "upper": float(res.upper[0]),
                    "extrapolated": bool(res.extrapolated[0]), "misfit": bool(res.misfit[0])})
    return out


def budget_label(row: dict) -> str:
    """A validation row's budget as reports print it, e.g. "100" or "145 (pool)"."""
    suffix = " (pool)" if row["whole_pool"] else " (half pool)" if row.get("half_pool") else ""
    return f"{row['budget']}{suffix}"


def report_markdown(report: dict) -> str:
    """The validation report as Markdown."""
    src = report["source"]
    lines = [
        f"# {report['task']}: validation report", "",
        f"Calibration data: {src.get('description', '')} ({src['n_models']} models x {src['n_pool_items']} pool items; "
        f"licence: {src.get('licence', 'not given')}). Input SHA-256 `{src['input_sha256'][:16]}...`.", "",
        f"Default budget: **{report['default_budget']} items**. Settings: `{json.dumps(report['fit_settings'])}`.", "",
        f"Held-out error: {report['fit_settings']['n_folds']}-fold cross-validation over models, nested: each "
        "fold's estimator (IRT fit, anchor choice, score map, interval) is fitted without the models it scores. "
        "The folds are grouped by the model's owner on the hub (the name before \"/\"), so no organisation's "
        "models are on both sides. 'MAE range' is a 95% bootstrap "
        "interval of the MAE that resamples whole organisations: the error a set of new models may show. "
        "Scores are on the 0-100 leaderboard scale.", "",
        "| budget | estimator | MAE | MAE range | RMSE | max err | Spearman | Kendall | 95% coverage | mean width |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in report["validation"]:
        label = budget_label(row)
        for name, pretty in (("tiny", "tinytasks"), ("tiny_fully_recorded", "tinytasks, models with every answer"),
                             ("linear_mean", "linear map of mean"), ("mean", "raw mean x 100")):
            if name not in row:
                continue
            m = row[name]
            if "n_models" in m:
                pretty += f" ({m['n_models']})"
            cov = f"{m['coverage']:.3f}" if "coverage" in m else "-"
            width = f"{m['mean_interval_width']:.2f}" if "mean_interval_width" in m else "-"
            spread = f"{m['mae_interval'][0]:.2f}-{m['mae_interval'][1]:.2f}" if "mae_interval" in m else "-"
            lines.append(f"| {label} | {pretty} | {m['mae']:.3f} | {spread} | {m['rmse']:.3f} | {m['max_error']:.2f} | "
                         f"{m['spearman']:.4f} | {m['kendall']:.4f} | {cov} | {width} |")
    if any("tiny_fully_recorded" in row for row in report["validation"]):
        lines += ["", "Some calibration models have answers to only part of the pool (a supplement covers "
                  "only some of them); their held-out estimates use the answers they have. A new model answers "
                  "every anchor, like the models counted in the row 'models with every answer'."]
    lines += ["", "Trust signals on the held-out models (share flagged; a flag is a warning, not an error):", "",
              f"| budget | extrapolated | unusual answer pattern (person fit, nominal {DEFAULT_ALPHA}) |", "| --- | --- | --- |"]
    for row in report["validation"]:
        m = row["tiny"]
        lines.append(f"| {budget_label(row)} | {m['extrapolated_share']:.3f} | "
                     f"{m['misfit_share']:.3f} |")
    lines += ["", "Generated by `tinytasks fit`; numbers are not edited by hand.", ""]
    return "\n".join(lines)
