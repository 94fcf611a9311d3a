"""`tinytasks tiered`: rank many models cheaply. Every model runs the
cheapest lineup; the next lineup runs only for the models that can still be
in the top k, and the last only for those still undecided (Flash-HELM's
tiered evaluation, Perlitz et al. 2023)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from tinytasks.estimators.ranking import ErrorCorrelation, error_covariance, prob_top_k

from .benchmark_specs import SPECS
from .checkpoints import Checkpoint, evaluate_series, expand_tasks
from .rank import ModelEstimates, format_ranking, rank_estimates, ranking_document
from .registry import BENCHMARK_OF_TASK
from .scoring import task_anchors

@dataclass(frozen=True)
class TierPolicy:
    """Which models go on to the next tier.

    Tier 1 (the second) takes every model whose P(top k) is at least
    `threshold`; each later tier takes the models of the tier before whose
    P(top k) is still between `threshold` and 1 - `threshold`."""

    top_k: int = 1
    threshold: float = 0.05

    def next_tier(self, tier: int, p_top: np.ndarray, tier_of: np.ndarray) -> np.ndarray:
        """Mask of the models to run on `tier` (>= 1), given their P(top k)
        now and the highest tier each has run."""
        if tier == 1:
            return p_top >= self.threshold
        return (tier_of == tier - 1) & (p_top >= self.threshold) & (p_top <= 1 - self.threshold)

    def run(self, score: list[np.ndarray], se: list[np.ndarray], tasks: list[np.ndarray],
            correlation: dict[str, ErrorCorrelation]) -> np.ndarray:
        """The policy on estimates already known for every tier (models x
        benchmarks arrays per tier, e.g. held-out estimates): the highest
        tier each model would have been run on."""
        m = score[0].shape[0]
        tier_of = np.zeros(m, dtype=int)
        rows = np.arange(m)
        for tier in range(1, len(score)):
            now = [np.stack(v)[tier_of, rows] for v in (score, se, tasks)]
            p = prob_top_k(now[0].mean(1), error_covariance(*now, correlation), self.top_k)
            tier_of[self.next_tier(tier, p, tier_of)] = tier
        return tier_of


def tier_requests(tasks: list[str], limit: int | None) -> float:
    """lm-eval requests one model makes on `tasks` (each limited to `limit` items)."""
    return float(sum(min(len(task_anchors(t)), limit or np.inf) * SPECS[BENCHMARK_OF_TASK[t]].requests_per_item
                     for t in tasks))


def run_tiered(model: str, series: list[Checkpoint], tiers: list[str], policy: TierPolicy, cache: Path,
               limit: int | None, eval_kwargs: dict, progress: Callable[[str], None] = print) -> dict:
    """Run the tiers through lm-eval (cached per model and task) and rank the
    models; returns the ranking document with each model's tier and the cost."""
    tier_tasks = [expand_tasks(t.split(",")) for t in tiers]
    benches = [sorted(BENCHMARK_OF_TASK[t] for t in tt) for tt in tier_tasks]
    if any(b != benches[0] for b in benches):
        raise ValueError(f"every tier must cover the same benchmarks; got {benches}")
    if len(series) < 2:
        raise ValueError("tiered ranking needs at least two models")
    names = [c.model_args for c in series]
    if len(set(names)) != len(names):
        raise ValueError("two models have the same model_args")
    results: dict[int, dict[str, dict]] = {i: {} for i in range(len(series))}
    tier_of = np.zeros(len(series), dtype=int)
    cost, runs = 0.0, 0
    for tier, tasks in enumerate(tier_tasks):
        if tier == 0:
            chosen = np.ones(len(series), bool)
        else:
            models = _estimates(names, results)
            p = rank_estimates(models, policy.top_k)[0].prob_top_k_by_input
            chosen = policy.next_tier(tier, p, tier_of)
            progress(f"tier {tier + 1}: P(top {policy.top_k}) now " + ", ".join(
                f"{names[i]} {p[i]:.3f}" for i in np.argsort(-p)[:10]) + (" ..." if len(p) > 10 else ""))
        if not chosen.any():
            progress(f"tier {tier + 1} ({', '.join(tasks)}): no model still undecided; stopping")
            break
        picked = np.flatnonzero(chosen).tolist()
        progress(f"tier {tier + 1} ({', '.join(tasks)}): {len(picked)} of {len(series)} models")
        got, n = evaluate_series(model, [Checkpoint(float(i), series[i].model_args) for i in picked], tasks, cache,
                                 limit, eval_kwargs, progress)
        runs += n
        for i in picked:
            results[i].update(got[float(i)])
        tier_of[chosen] = tier
        cost += tier_requests(tasks, limit) * len(picked)
    models = _estimates(names, results)
    ranking, data = rank_estimates(models, policy.top_k)
    doc = ranking_document(ranking, data)
    for row in doc["models"]:
        row["tier"] = int(tier_of[names.index(row["model"])]) + 1
    pool_tasks, first = tier_tasks[-1], tier_tasks[0]
    doc |= {"tiers": tier_tasks, "policy": asdict(policy), "limit": limit, "lm_eval_runs": runs,
            "requests": cost, "requests_all_on_last_tier": tier_requests(pool_tasks, limit) * len(series),
            "requests_all_on_full_benchmarks": float(sum(SPECS[BENCHMARK_OF_TASK[t]].full_items
                                                         * SPECS[BENCHMARK_OF_TASK[t]].requests_per_item
                                                         for t in first))
            * len(series),
            "text": format_ranking(ranking, data)}
    return doc


def _estimates(names: list[str], results: dict[int, dict[str, dict]]) -> list[ModelEstimates]:
    return [ModelEstimates(names[i], "tiered run", {t: (r["est_score"], r["est_lower"], r["est_upper"])
                                                    for t, r in res.items()})
            for i, res in results.items()]


def format_tiered(doc: dict) -> str:
    """The final ranking, each model's last tier, and the cost against the alternatives."""
    lines = [doc["text"], "", "| model | tiers run |", "| --- | --- |"]
    lines += [f"| {m['model']} | {m['tier']} of {len(doc['tiers'])} |" for m in doc["models"]]
    lines += ["", f"requests asked: {doc['requests']:,.0f}; every model on the last tier: "
              f"{doc['requests_all_on_last_tier']:,.0f} ({doc['requests'] / doc['requests_all_on_last_tier']:.1%}); "
              f"every model on the full benchmarks: {doc['requests_all_on_full_benchmarks']:,.0f} "
              f"({doc['requests'] / doc['requests_all_on_full_benchmarks']:.2%})"
              + (f" (each task limited to {doc['limit']} items)" if doc["limit"] else ""),
              f"{doc['lm_eval_runs']} lm-eval run(s); the rest from the cache"]
    return "\n".join(lines)


def write_tiered(doc: dict, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({k: v for k, v in doc.items() if k != "text"}, indent=1) + "\n")
    return path

