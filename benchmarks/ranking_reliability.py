"""How reliably do the tiny lineups order many models? Held-out models only.

For model sets drawn from the shared-data models that have all six
leaderboard benchmarks (random sets of K = 10 and 50, and "close" sets of K
models whose real leaderboard averages lie within 3 points, as a training
run's checkpoints do), each design ranks the set by its estimated average of
the six benchmarks, and is scored against the real averages: how often it
picks the real best model (top-1 hit), Kendall's tau, and the share of pairs
it orders the wrong way. Designs:

- every model on `tiny_leaderboard_25`, on `tiny_leaderboard` (100) and on
  `tiny_leaderboard_pool`: the held-out estimates of `python -m maintainer fit-joint`
  (5-fold over models, each task fitted without the models it scores);
- the tiered policy of `tinytasks tiered`: every model on the 25-item
  lineup, then the 100-item lineup for the models whose P(top k) is at
  least the threshold, then the pools for those still undecided;
- uniformly random items of each full benchmark at the same budget per
  benchmark (a hypergeometric draw of the real score; TruthfulQA's mc2 score
  is treated as a share of items, which overstates its sampling error);
- fewer benchmarks at about the same number of items (a random subset of
  the benchmarks on a larger lineup, averaged over the subsets): the DIoR
  finding (Perlitz et al. 2023) is that fewer items per benchmark hurt the
  ranking far less than fewer benchmarks.

Cost is counted in lm-eval requests: items times each benchmark's requests
per item (each `BenchmarkSpec.requests_per_item`, counted in tiny_savings.py's runs). The
error correlation the ranking uses is the shipped one, fitted on these same
held-out estimates (two numbers per task).

    python -m benchmarks.ranking_reliability          # after `python -m maintainer fit-joint`, which fills the cache
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from scipy.stats import kendalltau
from tinytasks.estimators import read_param_document
from tinytasks.estimators.intervals import interval_stderr
from tinytasks.estimators.ranking import error_covariance, rank_models

from benchmarks.results_io import table_row, write_results
from tinytasks.benchmark_specs import BENCHMARKS, SPECS
from tinytasks.fitting import FitSettings
from maintainer.joint_fitting import (
    HeldOutEstimates,
    held_out_cache_dir,
    held_out_estimates,
)
from tinytasks.rank import shipped_error_correlation
from tinytasks.registry import GROUPS, TIERS, params_path
from tinytasks.tiered import TierPolicy

ROOT = Path(__file__).resolve().parents[1]
SET_KINDS = (("random", 10, 400), ("random", 50, 200), ("close", 10, 400), ("close", 50, 200))
CLOSE_WINDOW = 3.0


def anchors_per_task(group: str) -> np.ndarray:
    """Items asked per benchmark (BENCHMARKS order) by a lineup's tasks."""
    return np.array([len(read_param_document(params_path(t))["metadata"]["anchors"]) for t in GROUPS[group]])


def draw_sets(truth_avg: np.ndarray, kind: str, k: int, n_sets: int, rng) -> list[np.ndarray]:
    """Index sets of k models: random, or all within CLOSE_WINDOW points of real average."""
    order = np.argsort(truth_avg)
    sets = []
    while len(sets) < n_sets:
        if kind == "random":
            sets.append(rng.choice(truth_avg.size, k, replace=False))
            continue
        lo = rng.uniform(truth_avg.min(), truth_avg.max() - CLOSE_WINDOW)
        inside = order[(truth_avg[order] >= lo) & (truth_avg[order] <= lo + CLOSE_WINDOW)]
        if inside.size >= k:
            sets.append(rng.choice(inside, k, replace=False))
    return sets


def order_metrics(est: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    """(top-1 hit, Kendall tau, share of pairs ordered the wrong way)."""
    i, j = np.triu_indices(est.size, 1)
    flipped = np.sign(est[i] - est[j]) * np.sign(truth[i] - truth[j]) < 0
    return float(np.argmax(est) == np.argmax(truth)), float(kendalltau(est, truth).statistic), float(flipped.mean())


def random_item_scores(truth: np.ndarray, items: np.ndarray, rng) -> np.ndarray:
    """Scores from `items` uniformly random items of each full benchmark (models x benchmarks)."""
    n = np.array([SPECS[b].full_items for b in BENCHMARKS])
    good = np.clip(np.rint(truth / 100 * n), 0, n).astype(int)
    return 100 * rng.hypergeometric(good, n - good, np.broadcast_to(items, truth.shape)) / items


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--top-k", type=int, default=1, help="the tiered policy keeps models that can be in the top k")
    ap.add_argument("--threshold", type=float, default=TierPolicy.threshold)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "ranking_reliability"))
    a = ap.parse_args()
    t0 = time.perf_counter()
    held: dict[str, HeldOutEstimates] = {g: held_out_estimates(FitSettings(), g, cache_dir=held_out_cache_dir())
                                        for g in TIERS}
    models = held[TIERS[0]].models
    assert all(h.models == models for h in held.values())
    truth = held[TIERS[0]].truth
    truth_avg = truth.mean(1)
    items = {g: anchors_per_task(g) for g in TIERS}
    per_item = np.array([SPECS[b].requests_per_item for b in BENCHMARKS])
    requests = {g: float(items[g] @ per_item) for g in TIERS}
    full_requests = float(np.array([SPECS[b].full_items for b in BENCHMARKS]) @ per_item)
    correlation, missing = shipped_error_correlation()
    if missing:
        raise SystemExit(f"no joint file for {missing}: run `python -m maintainer fit-joint` first")
    tasks = {g: np.array([GROUPS[g]] * len(models), dtype=object) for g in TIERS}
    se = {g: interval_stderr(h.lower, h.upper) for g, h in held.items()}
    policy = TierPolicy(top_k=a.top_k, threshold=a.threshold)
    rng = np.random.default_rng(a.seed)

    rows, lines = [], ["# Ranking reliability on held-out models", "",
                       f"{len(models)} shared-data models with all six benchmarks; held-out estimates (5-fold). "
                       f"Target: the real leaderboard average of the six. Tiered: top-{a.top_k}, threshold "
                       f"{a.threshold}. Requests per model: {', '.join(f'{g} {requests[g]:.0f}' for g in TIERS)}; "
                       f"the full six benchmarks {full_requests:.0f}.", "",
                       "| sets | design | requests per set | vs all on pools | top-1 hit | Kendall tau | pairs flipped |",
                       "| --- | --- | --- | --- | --- | --- | --- |"]
    for kind, k, n_sets in SET_KINDS:
        sets = draw_sets(truth_avg, kind, k, n_sets, rng)
        label = f"{kind} K={k} ({n_sets})"
        scores: dict[str, list] = {}
        cost: dict[str, list] = {}

        def add(name: str, est: np.ndarray, spent: float, idx: np.ndarray) -> None:
            scores.setdefault(name, []).append(order_metrics(est, truth_avg[idx]))
            cost.setdefault(name, []).append(spent)

        for idx in sets:
            for g, name in zip(TIERS, ("every model on _25", "every model on 100", "every model on pools")):
                add(name, held[g].score[idx].mean(1), requests[g] * k, idx)
            for g, name in zip(TIERS, ("random items, 25-item budget", "random items, 100-item budget",
                                       "random items, pool budget")):
                add(name, random_item_scores(truth[idx], items[g], rng).mean(1), requests[g] * k, idx)
            tier_of = policy.run([held[g].score[idx] for g in TIERS], [se[g][idx] for g in TIERS],
                                 [tasks[g][idx] for g in TIERS], correlation)
            final = np.stack([held[g].score[idx] for g in TIERS])[tier_of, np.arange(k)].mean(1)
            spent = sum(requests[g] * np.sum(tier_of >= t) for t, g in enumerate(TIERS))
            add("tiered", final, spent, idx)
            for g, n_bench, name in ((TIERS[1], 2, "2 of 6 benchmarks on 100"),
                                     (TIERS[2], 3, "3 of 6 benchmarks on pools")):
                pick = rng.choice(len(BENCHMARKS), n_bench, replace=False)
                add(name, held[g].score[idx][:, pick].mean(1), float(items[g][pick] @ per_item[pick]) * k, idx)
        pools_cost = requests[TIERS[2]] * k
        for name, vals in scores.items():
            hit, tau, flip = np.mean(vals, 0)
            c = float(np.mean(cost[name]))
            row = {"sets": label, "design": name, "requests": c, "fraction_of_pools": c / pools_cost,
                   "top1_hit": hit, "kendall_tau": tau, "pairs_flipped": flip}
            rows.append(row)
            lines.append(table_row(label, name, f"{c:,.0f}", f"{c / pools_cost:.3f}", f"{hit:.3f}", f"{tau:.3f}",
                                   f"{flip:.3f}"))
    lines += ["", "## Pairwise P(A > B): calibration", "",
              "Over the pairs of the random K=10 sets: the Brier score of `tinytasks rank`'s P(A > B) against "
              "which real average is higher, and of the pairs it calls at P >= 0.95, the share it has right; with "
              "the fitted error correlation and with errors taken as independent.", "",
              "| lineup | errors | Brier score | pairs called at 0.95 | right |", "| --- | --- | --- | --- | --- |"]
    sets = draw_sets(truth_avg, "random", 10, 400, np.random.default_rng(a.seed + 1))
    calibration = []
    for g in TIERS:
        for label, corr in (("correlated (fitted)", correlation), ("independent", {})):
            p_all, won = [], []
            for idx in sets:
                cov = error_covariance(held[g].score[idx], se[g][idx], tasks[g][idx], corr)
                r = rank_models([str(i) for i in idx], held[g].score[idx].mean(1), cov, draws=10)
                i, j = np.triu_indices(len(idx), 1)
                p_all.append(r.prob_ahead[i, j])
                won.append(truth_avg[idx][r.index][i] > truth_avg[idx][r.index][j])
            p, w = np.concatenate(p_all), np.concatenate(won)
            sure = p >= 0.95
            row = {"lineup": g, "errors": label, "brier": float(np.mean((p - w) ** 2)),
                   "called": int(sure.sum()), "right": float(w[sure].mean())}
            calibration.append(row)
            lines.append(table_row(g, label, f"{row['brier']:.4f}", row["called"], f"{row['right']:.3f}"))
    lines += ["", f"Ran in {time.perf_counter() - t0:.0f} s (held-out estimates from the cache of `python -m maintainer fit-joint`)."]
    write_results(a.out, lines, {"settings": vars(a), "n_models": len(models), "requests_per_model": requests,
                                 "full_requests_per_model": full_requests, "rows": rows,
                                 "pairwise_calibration": calibration})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
