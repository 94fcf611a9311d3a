"""`python -m maintainer fit-joint`: the joint estimate across a lineup's six tasks,
learned from held-out estimates of the shared data's models that have all six."""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np

from tinytasks.estimators import JointCorrection, write_joint_file
from tinytasks.estimators.comparison import average_estimates
from tinytasks.estimators.joint import N_FOLDS
from tinytasks.estimators.ranking import DISTANCE_BINS, ErrorCorrelation
from tinytasks.estimators.score_map import model_folds
from tinytasks.estimators.metrics import score_metrics

from tinytasks import __version__
from tinytasks.benchmark_specs import SPECS
from tinytasks.fitting import FitSettings, eligible_indices, numerical_library_versions
from tinytasks.registry import BENCHMARKS, GROUPS, TASK_CONFIG_DIR, TASKS, joint_params_path

from .code_digest import estimate_code_digest
from .shared_data import item_table, load_source, shared_data_dir


@dataclass
class HeldOutEstimates:
    """The shipped configuration's estimates of models it was not fitted on:
    models x benchmarks arrays, rows in `models` order."""

    models: list[str]
    benchmarks: list[str]
    score: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    extrapolated: np.ndarray
    truth: np.ndarray


    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, models=np.array(self.models), benchmarks=np.array(self.benchmarks),
                            score=self.score, lower=self.lower, upper=self.upper,
                            extrapolated=self.extrapolated, truth=self.truth)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> "HeldOutEstimates":
        with np.load(path) as z:
            return cls([str(m) for m in z["models"]], [str(b) for b in z["benchmarks"]],
                       *(z[k] for k in ("score", "lower", "upper", "extrapolated", "truth")))


def fold_ids(n_models: int, settings: FitSettings) -> np.ndarray:
    """The cross-validation fold of each of `n_models` models in `held_out_estimates`."""
    out = np.empty(n_models, dtype=int)
    for fold, (_, test) in enumerate(model_folds(n_models, settings.n_folds, settings.seed)):
        out[test] = fold
    return out


def held_out_cache_dir() -> Path:
    """Where held-out estimates are kept between runs ($TINYTASKS_HELD_OUT_CACHE,
    default ~/.cache/tinytasks/held_out)."""
    default = Path.home() / ".cache" / "tinytasks" / "held_out"
    return Path(os.environ.get("TINYTASKS_HELD_OUT_CACHE", default))


def held_out_estimates(settings: FitSettings, group: str, root: Path | None = None,
                       progress: Callable[[str], None] = print, cache_dir: Path | None = None) -> HeldOutEstimates:
    """K-fold over the models that every benchmark's shared data has: each
    task of the lineup `group`, configured as `python -m maintainer fit-shared`
    configures it (its budget, anchors among the items with text), is fitted
    on all of its models outside the fold and estimates the fold's models.
    With `cache_dir`, the result is kept there, keyed by the lineup, the
    settings, the data's checksums and the library versions, and reused."""
    root = root or shared_data_dir()
    benches = list(BENCHMARKS)
    budget = {TASKS[t][0]: TASKS[t][1] for t in GROUPS[group]}
    tables = {b: item_table(b, root) for b in benches}
    data = {b: load_source(b, root, tables[b]) for b in benches}
    eligible = {b: eligible_indices(data[b], tables[b]) for b in benches}
    common = sorted(set.intersection(*(set(d.models) for d in data.values())))
    progress(f"{len(common)} models have all of {', '.join(benches)}")
    cached = None
    if cache_dir is not None:
        key = json.dumps([group, budget, asdict(settings), {b: data[b].source_sha256 for b in benches},
                          {b: eligible[b].tolist() for b in benches}, numerical_library_versions(), __version__,
                          estimate_code_digest()],
                         sort_keys=True)
        cached = cache_dir / f"{group}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npz"
        if cached.is_file():
            progress(f"held-out estimates of {group} from the cache {cached}")
            return HeldOutEstimates.load(cached)
    shape = (len(common), len(benches))
    out = HeldOutEstimates(common, benches, score=np.full(shape, np.nan), lower=np.full(shape, np.nan),
                           upper=np.full(shape, np.nan), extrapolated=np.zeros(shape, bool),
                           truth=np.full(shape, np.nan))
    row_of = {b: {m: i for i, m in enumerate(data[b].models)} for b in benches}
    fold_of = fold_ids(len(common), settings)
    for fold in range(settings.n_folds):
        test = np.flatnonzero(fold_of == fold)
        test_models = {common[i] for i in test}
        for j, b in enumerate(benches):
            d = data[b]
            t_idx = np.array([row_of[b][common[i]] for i in test])
            train = np.array([i for i, m in enumerate(d.models) if m not in test_models])
            task_settings = replace(settings, budget=budget[b])
            est = task_settings.estimator(task_settings.anchors_for(eligible[b].size)).fit(
                d.responses[train], d.scores[train], eligible[b])
            r = est.predict(d.responses[t_idx][:, est.anchors_.items])
            out.score[test, j], out.lower[test, j], out.upper[test, j] = r.score, r.lower, r.upper
            out.extrapolated[test, j] = r.extrapolated
            out.truth[test, j] = d.scores[t_idx]
            progress(f"  fold {fold + 1}/{settings.n_folds}: {b} fitted on {train.size} models")
        progress(f"  fold {fold + 1}/{settings.n_folds}: estimated {len(test)} held-out models on all six")
    if cached is not None:
        out.save(cached)
    return out


def joint_validation(h: HeldOutEstimates, seed: int = 0) -> dict:
    """Per benchmark and for the average: held-out metrics of the own
    estimates and of the joint ones, whose corrections and interval factors
    are fitted without the models they are scored on (a nested fit)."""
    joint, lo_j, hi_j = (np.empty_like(h.score) for _ in range(3))
    for tr, te in model_folds(len(h.models), N_FOLDS, seed):
        jc = JointCorrection.fit(h.benchmarks, h.score[tr], h.lower[tr], h.upper[tr], h.truth[tr], seed=seed)
        joint[te], lo_j[te], hi_j[te] = jc.apply(h.score[te], h.lower[te], h.upper[te], h.extrapolated[te])
    rows = {b: {"own": score_metrics(h.score[:, j], h.truth[:, j], h.lower[:, j], h.upper[:, j]),
                "joint": score_metrics(joint[:, j], h.truth[:, j], lo_j[:, j], hi_j[:, j])}
            for j, b in enumerate(h.benchmarks)}
    # The average's interval as `tinytasks average` gives it (errors independent).
    rows["average"] = {}
    for name, (s, lo, hi) in (("own", (h.score, h.lower, h.upper)), ("joint", (joint, lo_j, hi_j))):
        mean, lower, upper = average_estimates(s, lo, hi)
        rows["average"][name] = score_metrics(mean, h.truth.mean(1), lower, upper)
    return rows


def fit_joint(settings: FitSettings, group: str, out: Path | None = None, root: Path | None = None,
              progress: Callable[[str], None] = print, cache_dir: Path | None = None) -> dict:
    """Fit the joint correction of the lineup `group` on held-out estimates,
    write `out` (default: the shipped file) and a validation report beside it.
    Returns the report."""
    t0 = time.perf_counter()
    out = out or joint_params_path(group)
    out.parent.mkdir(parents=True, exist_ok=True)
    h = held_out_estimates(settings, group, root, progress, cache_dir)
    tasks = list(GROUPS[group])
    joint = JointCorrection.fit(tasks, h.score, h.lower, h.upper, h.truth, seed=settings.seed)
    folds = fold_ids(len(h.models), settings)
    fitted = {t: ErrorCorrelation.fit(h.score[:, j], h.lower[:, j], h.upper[:, j], h.truth[:, j], folds)
              for j, t in enumerate(tasks)}
    correlation = {t: c for t, (c, _) in fitted.items()}
    metadata = {
        "group": group, "tasks": tasks, "tinytasks_version": __version__,
        "estimator": "per task, boosted trees on all six held-out estimates predict the task estimate's error",
        "fit_settings": asdict(settings), "fitted_with": numerical_library_versions(),
        "source": {"n_models": len(h.models), "benchmarks": {b: [*SPECS[b].calibration.responses, *SPECS[b].calibration.supplements]
                                                                  for b in h.benchmarks},
                   "licence": sorted({SPECS[b].calibration.licence for b in h.benchmarks})},
    }
    doc = write_joint_file(out, joint, metadata, correlation)
    progress(f"wrote {out} ({time.perf_counter() - t0:.0f}s)")
    report = {"group": group, "n_models": len(h.models), "tasks": tasks, "params_sha256": doc["sha256"],
              "validation": joint_validation(h, settings.seed),
              "error_correlation": {t: c.to_dict() | binned for t, (c, binned) in fitted.items()}}
    out.parent.joinpath("report.json").write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    out.parent.joinpath("report.md").write_text(joint_report_markdown(report))
    return report


def joint_report_markdown(report: dict) -> str:
    """The validation report as a Markdown table."""
    lines = [f"# Joint estimate across the six tasks of {report['group']}: held-out validation", "",
             f"{report['n_models']} shared-data models with all six tasks; the per-task estimates are held out "
             "(5-fold over models), and so are the joint corrections learned from them (5-fold again). "
             "MAE in leaderboard points; cover = share of real scores inside the 95% interval (for the average: "
             "the interval of `tinytasks average`, errors taken as independent).", "",
             "| task | own MAE | joint MAE | own cover | joint cover | own width | joint width |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, r in report["validation"].items():
        o, j = r["own"], r["joint"]
        lines.append(f"| {name} | {o['mae']:.2f} | {j['mae']:.2f} | {o['coverage']:.3f} | {j['coverage']:.3f} | "
                     f"{o['mean_interval_width']:.2f} | {j['mean_interval_width']:.2f} |")
    if "error_correlation" not in report:
        return "\n".join(lines) + "\n"
    edges = [(float(a), float(b)) for a, b in zip(DISTANCE_BINS[:-1], DISTANCE_BINS[1:])]
    lines += ["", "## Error correlation between models on the same task", "",
              "Correlation of two held-out models' standardised errors (same fold, so the same fitted "
              "estimator) by the distance d between their estimates (points), and the fit "
              "rho(d) = rho0 exp(-d / length) that `tinytasks rank` uses.", "",
              "| task | rho0 | length | " + " | ".join(f"d {a:g}-{b:g}" for a, b in edges) + " |",
              "| --- " * (3 + len(edges)) + "|"]
    for task, c in report["error_correlation"].items():
        rho = {(b["from"], b["to"]): f"{b['rho']:+.3f}" for b in c["bins"]}
        lines.append(f"| {task} | {c['rho0']:.3f} | {c['length']:.2f} | "
                     + " | ".join(rho.get(e, "-") for e in edges) + " |")
    return "\n".join(lines) + "\n"
