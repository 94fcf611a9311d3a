"""`tinytasks rank RESULTS...`: several models in order of estimated score,
with rank intervals, P(best), P(top k) and pairwise P(A > B)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinytasks.estimators import ParamFileError
from tinytasks.estimators.joint_file import load_error_correlation
from tinytasks.estimators.intervals import interval_stderr
from tinytasks.estimators.ranking import Z95, ErrorCorrelation, Ranking, error_covariance, rank_models

from .compare import METRICS, estimates_in, one_task_per_benchmark
from .benchmark_specs import ALL_BENCHMARKS
from .registry import BENCHMARK_OF_TASK, GROUPS, joint_params_path

Estimate = tuple[float, float, float]  # score, lower, upper


@dataclass
class ModelEstimates:
    """One model's tiny task estimates and the file they came from."""

    name: str
    source: str
    tasks: dict[str, Estimate]


def _from_results(path: Path, doc: dict) -> ModelEstimates:
    name, tasks = estimates_in(path, doc, path.parent.name)
    return ModelEstimates(name, str(path), {t: e for t, e in tasks.items() if t in BENCHMARK_OF_TASK})


def _from_checkpoints(path: Path, doc: dict) -> list[ModelEstimates]:
    out = {}
    for task, rep in doc["tasks"].items():
        for point in rep["curve"]:
            name = f"step {point['step']:g}"
            out.setdefault(name, ModelEstimates(name, str(path), {}))
            out[name].tasks[task] = tuple(float(point[m]) for m in METRICS)
    return list(out.values())


def read_model_estimates(paths: list[str]) -> list[ModelEstimates]:
    """Every model in the given lm-eval results files, folders of them, or
    checkpoints.json files of `tinytasks checkpoints`. A model in several
    files (e.g. one tier per file) has its tasks merged."""
    found: list[ModelEstimates] = []
    for p in map(Path, paths):
        files = sorted(p.rglob("results*.json")) + sorted(p.rglob("checkpoints.json")) if p.is_dir() else [p]
        if not files:
            raise FileNotFoundError(f"{p} holds no lm-eval results_*.json or checkpoints.json")
        for f in files:
            if not f.is_file():
                raise FileNotFoundError(f"{f} not found; pass lm-eval results JSONs, their folders, or a "
                                        "checkpoints.json of `tinytasks checkpoints`")
            try:
                doc = json.loads(f.read_text())
            except json.JSONDecodeError as e:
                raise ValueError(f"{f} is not JSON ({e}); pass lm-eval results JSONs or checkpoints.json") from e
            if isinstance(doc, dict) and "results" in doc:
                found.append(_from_results(f, doc))
            elif isinstance(doc, dict) and "checkpoints" in doc and "tasks" in doc:
                found.extend(_from_checkpoints(f, doc))
            else:
                raise ValueError(f"{f} is neither an lm-eval results file nor a checkpoints.json")
    merged: dict[str, ModelEstimates] = {}
    for m in found:
        if not m.tasks:
            raise ValueError(f"{m.source} has no tiny task estimates (est_score/est_lower/est_upper)")
        have = merged.setdefault(m.name, ModelEstimates(m.name, m.source, {}))
        twice = sorted(set(have.tasks) & set(m.tasks))
        if twice:
            raise ValueError(f"model {m.name!r} has {', '.join(twice)} in both {have.source} and {m.source}; "
                             "pass one of them")
        have.tasks.update(m.tasks)
        have.source = have.source if have.source == m.source else f"{have.source}, {m.source}"
    if len(merged) < 2:
        raise ValueError(f"ranking needs at least two models; found {len(merged)} in {', '.join(paths)}")
    return list(merged.values())


def shipped_error_correlation() -> tuple[dict[str, ErrorCorrelation], list[str]]:
    """Per task, the error correlation of the shipped joint files; and the
    lineups whose file is missing."""
    out, missing = {}, []
    for group in GROUPS:
        path = joint_params_path(group)
        if not path.is_file():
            missing.append(group)
            continue
        try:
            out |= load_error_correlation(path)
        except ParamFileError:
            missing.append(group)
    return out, missing


@dataclass
class RankInput:
    models: list[str]
    benchmarks: list[str]
    tasks: np.ndarray  # models x benchmarks: the task each estimate is from
    score: np.ndarray
    se: np.ndarray
    notes: list[str]


def rank_input(models: list[ModelEstimates], benchmarks: list[str] | None = None) -> RankInput:
    """Per model and benchmark, the estimate of its task with the most
    anchors; the benchmarks every model has (or `benchmarks`, which every
    model must have)."""
    best = [{BENCHMARK_OF_TASK[t]: t for t in one_task_per_benchmark(m.tasks, ALL_BENCHMARKS)} for m in models]
    common = [b for b in ALL_BENCHMARKS if all(b in row for row in best)]
    notes = []
    if benchmarks:
        unknown = sorted(set(benchmarks) - set(ALL_BENCHMARKS))
        if unknown:
            raise ValueError(f"unknown benchmark(s) {unknown}; known: {', '.join(ALL_BENCHMARKS)}")
        lacking = [f"{m.name} lacks {b}" for m, row in zip(models, best) for b in benchmarks if b not in row]
        if lacking:
            raise ValueError("every model needs the benchmarks ranked on: " + "; ".join(lacking))
        common = [b for b in ALL_BENCHMARKS if b in benchmarks]
    if not common:
        raise ValueError("no benchmark has an estimate for every model; run them on the same tiny tasks")
    partial = [b for b in ALL_BENCHMARKS if b not in common and any(b in row for row in best)]
    if partial:
        notes.append(f"not ranked on {', '.join(partial)}: not every model has it")
    tasks = np.array([[row[b] for b in common] for row in best], dtype=object)
    est = np.array([[m.tasks[t] for t in row] for m, row in zip(models, tasks)])  # models x benchmarks x 3
    return RankInput([m.name for m in models], common, tasks, est[..., 0], interval_stderr(est[..., 1], est[..., 2]),
                     notes)


def rank_estimates(models: list[ModelEstimates], top_k: int = 3, benchmarks: list[str] | None = None,
                   correlation: dict[str, ErrorCorrelation] | None = None) -> tuple[Ranking, RankInput]:
    """The ranking of `models` by the average of their benchmarks' estimates,
    errors correlated per task by `correlation` (None: the shipped fits;
    {}: independent)."""
    data = rank_input(models, benchmarks)
    if correlation is None:
        correlation, _ = shipped_error_correlation()
        without = sorted(set(data.tasks.ravel()) - set(correlation))
        if without:
            data.notes.append(f"no fitted error correlation for {', '.join(without)} "
                              f"(the maintainers' fit-joint fits it): their errors are taken as independent")
    cov = error_covariance(data.score, data.se, data.tasks, correlation)
    return rank_models(data.models, data.score.mean(1), cov, top_k), data


def rank_results(paths: list[str], top_k: int = 3, benchmarks: list[str] | None = None,
                 independent: bool = False) -> tuple[Ranking, RankInput]:
    """The ranking of every model in `paths` (see read_model_estimates)."""
    return rank_estimates(read_model_estimates(paths), top_k, benchmarks, {} if independent else None)


def format_ranking(r: Ranking, data: RankInput) -> str:
    """The ranking as a Markdown table with its notes."""
    top = r.top_k > 1
    lines = [f"{len(r.models)} models ranked by the average of their {', '.join(data.benchmarks)} estimates "
             "(95% intervals; rank 1 = best)", "",
             "| rank | model | estimate | 95% interval | rank interval | P(best) | "
             + (f"P(top {r.top_k}) | " if top else "") + "P(ahead of next) |",
             "| --- " * (8 if top else 7) + "|"]
    for i, name in enumerate(r.models):
        nxt = f"{r.prob_ahead[i, i + 1]:.3f}" if i + 1 < len(r.models) else "-"
        lo, hi = r.score[i] - Z95 * r.se[i], r.score[i] + Z95 * r.se[i]
        lines.append(f"| {i + 1} | {name} | {r.score[i]:.2f} | [{lo:.2f}, {hi:.2f}] | "
                     f"{r.rank_lower[i]}-{r.rank_upper[i]} | {r.prob_best[i]:.3f} | "
                     + (f"{r.prob_top_k[i]:.3f} | " if top else "") + f"{nxt} |")
    return "\n".join(lines + ([""] + [f"note: {n}" for n in data.notes] if data.notes else []))


def ranking_document(r: Ranking, data: RankInput) -> dict:
    """The ranking as JSON, with the full matrix of P(row ahead of column)."""
    return {"benchmarks": data.benchmarks, "top_k": r.top_k, "notes": data.notes,
            "models": [{"model": m, "rank": i + 1, "estimate": float(r.score[i]), "se": float(r.se[i]),
                        "rank_lower": int(r.rank_lower[i]), "rank_upper": int(r.rank_upper[i]),
                        "prob_best": float(r.prob_best[i]), "prob_top_k": float(r.prob_top_k[i])}
                       for i, m in enumerate(r.models)],
            "prob_ahead": [[None if i == j else float(v) for j, v in enumerate(row)]
                           for i, row in enumerate(r.prob_ahead)]}
