"""What `tinytasks similar` finds, measured on the shipped calibration answers.

Every shared-data model is taken in turn as the new model and compared with
all the others (leave one out), by its answers to the pool anchors (what a
`tiny_leaderboard_pool` run gives) and to the 100-item lineup's anchors only
(what a `tiny_leaderboard` run gives):

1. Nearest neighbour by excess agreement: how often it has the same
   organisation (the name before "/") or the same base-model family (a name
   token such as llama-2, mistral, qwen), against chance (a random other
   model). Also with every near-duplicate of the model left out, so that a
   match is not just a copy of the model itself.
2. Nearest-neighbour score estimate against the held-out tiny estimate, on
   the models with all six benchmarks: MAE per benchmark (tiny estimates
   from `python -m maintainer fit-joint`'s held-out cache of tiny_leaderboard).
3. Near-duplicates: pairs flagged at several thresholds, and how many are
   confirmed by evidence outside the anchors: identical full scores (within
   0.005 on every benchmark both have, at least two, neither model at
   chance) or near-identical ones (within 0.5). Recall of the pairs whose
   names differ only in case (known duplicates) and of the identical-score
   pairs. Abilities come from the pool item parameters, fitted on these
   models.

    python -m benchmarks.similarity_validation
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from tinytasks.estimators.similarity import (
    DUPLICATE_AT,
    MIN_EXPECTED_DISAGREEMENTS,
    AnswerSet,
    agreement,
)

from benchmarks.results_io import table_row, write_results
from tinytasks.anchor_answers import load_reference_answers
from tinytasks.benchmark_specs import BENCHMARKS, SPECS
from tinytasks.fitting import FitSettings
from tinytasks.estimators.validation import model_owners
from maintainer.joint_fitting import held_out_cache_dir, held_out_estimates
from tinytasks.registry import task_name
from tinytasks.scoring import task_anchors
from tinytasks.similar import nearest_by_agreement

ROOT = Path(__file__).resolve().parents[1]
# Base-model families by name token, most specific first.
FAMILIES = ("codellama", "tinyllama", "llama-3", "llama3", "llama-2", "llama2", "llama", "mixtral", "mistral",
            "qwen", "yi-", "gemma", "phi", "falcon", "gpt-neo", "gpt-j", "gpt2", "gpt-2", "pythia", "opt-", "bloom",
            "solar", "stablelm", "mpt", "deepseek", "internlm", "baichuan", "olmo", "vicuna", "zephyr")
THRESHOLDS = (0.8, 0.9, DUPLICATE_AT, 0.98, 1.0)


def family(name: str) -> str | None:
    low = name.lower()
    found = next((f for f in FAMILIES if f in low), None)
    return {"llama3": "llama-3", "llama2": "llama-2", "gpt-2": "gpt2"}.get(found, found)


def restricted(sets: list[AnswerSet], keep: list[np.ndarray]) -> list[AnswerSet]:
    """The answer sets with every item outside `keep` (per benchmark) unanswered."""
    out = []
    for s, k in zip(sets, keep):
        a = np.full(s.answers.shape, np.nan)
        a[:, k] = s.answers[:, k]
        out.append(AnswerSet(a, s.prob))
    return out


def match_rate(labels: np.ndarray, nn: np.ndarray, has: np.ndarray) -> tuple[float, float, int]:
    """(share whose nearest neighbour has the same label, chance of that for a random other, models counted)."""
    ok = has & (nn >= 0)
    ok[ok] &= has[nn[ok]]
    hit = float(np.mean(labels[ok] == labels[nn[ok]]))
    _, counts = np.unique(labels[has], return_counts=True)
    n = has.sum()
    chance = float(np.sum(counts * (counts - 1)) / (n * (n - 1)))
    return hit, chance, int(ok.sum())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "similarity_validation"))
    a = ap.parse_args()
    t0 = time.perf_counter()
    ref = load_reference_answers()
    models = ref.models
    m = len(models)
    sets = [ref.benchmarks[b].answers for b in BENCHMARKS]
    keys100 = [set(t["key"] for t in task_anchors(task_name(b))) for b in BENCHMARKS]
    keep100 = [np.array([i for i, k in enumerate(ref.benchmarks[b].keys) if k in keys100[j]])
               for j, b in enumerate(BENCHMARKS)]
    scores = np.column_stack([ref.benchmarks[b].scores for b in BENCHMARKS])
    orgs = model_owners(models)
    fams = np.array([family(n) or "" for n in models])
    report: dict = {"n_models": m}
    lines = ["# Model similarity on the shared data (leave one out)", "",
             f"{m} calibration models. Excess agreement: (observed - expected at their abilities) / (1 - "
             f"expected), over pairs with at least {MIN_EXPECTED_DISAGREEMENTS:g} expected disagreements; "
             f"near-duplicate flag at {DUPLICATE_AT}.", "",
             "## Nearest neighbour's organisation and family", "",
             "| query answers | neighbours | same organisation | chance | same family | chance | models |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    pool = None
    for label, query in (("pool anchors (1,167)", sets), ("100-item lineup anchors (563)", restricted(sets, keep100))):
        agr = agreement(query, sets)
        ex = np.where(agr.comparable, agr.excess, np.nan)
        np.fill_diagonal(ex, np.nan)
        pool = agr if pool is None else pool
        dup = pool.duplicate
        for who, mask in (("all others", np.zeros_like(dup)), ("near-duplicates left out", dup)):
            v = np.where(mask | np.isnan(ex), -np.inf, ex)
            nn = np.where(np.isfinite(v).any(1), np.argmax(v, 1), -1)
            org = match_rate(orgs, nn, np.ones(m, bool))
            fam = match_rate(fams, nn, fams != "")
            report.setdefault("neighbours", []).append({"query": label, "references": who, "organisation": org,
                                                        "family": fam})
            lines.append(table_row(label, who, f"{org[0]:.3f}", f"{org[1]:.3f}", f"{fam[0]:.3f}", f"{fam[1]:.3f}",
                                   org[2]))

    # 2. nearest-neighbour estimate against the held-out tiny estimate
    held = held_out_estimates(FitSettings(), "tiny_leaderboard", cache_dir=held_out_cache_dir())
    row = {n: i for i, n in enumerate(models)}
    q_idx = np.array([row[n] for n in held.models])
    query = restricted(sets, keep100)
    lines += ["", "## Nearest-neighbour estimate vs the tiny estimate (tiny_leaderboard anchors)", "",
              f"{len(q_idx)} models with all six benchmarks; MAE in points against the real full score.", "",
              "| benchmark | tiny estimate (held out) | nearest neighbours | nearest neighbours, near-duplicates left out |",
              "| --- | --- | --- | --- |"]
    report["estimates"] = {}
    for j, b in enumerate(BENCHMARKS):
        qa = AnswerSet(query[j].answers[q_idx], query[j].prob[q_idx])
        agr = agreement([qa], [sets[j]])
        nn_est = {}
        for who, excluded in (("all", np.zeros((len(q_idx), m), bool)), ("no_duplicates", pool.duplicate[q_idx])):
            ok = (agr.n_items >= 20) & ~np.isnan(scores[:, j])[None, :] & ~excluded
            ok[np.arange(len(q_idx)), q_idx] = False
            sel = nearest_by_agreement(agr.observed, ok)
            nn_est[who] = (sel * np.nan_to_num(scores[:, j])[None, :]).sum(1) / sel.sum(1)
        truth = held.truth[:, j]
        r = {"tiny": float(np.mean(np.abs(held.score[:, j] - truth))),
             **{k: float(np.mean(np.abs(v - truth))) for k, v in nn_est.items()}}
        report["estimates"][b] = r
        lines.append(table_row(b, f"{r['tiny']:.2f}", f"{r['all']:.2f}", f"{r['no_duplicates']:.2f}"))

    # 3. near-duplicates
    iu = np.triu_indices(m, 1)
    i, k = iu
    both = ~np.isnan(scores[i]) & ~np.isnan(scores[k])
    n_common = both.sum(1)
    chance = np.array([SPECS[b].chance.score for b in BENCHMARKS])
    above = np.nanmean(scores - chance, 1) > 5
    live = above[i] & above[k] & (n_common >= 2)
    diff = np.where(both, np.abs(scores[i] - scores[k]), 0.0).max(1)
    identical = live & (diff < 0.005)
    near = live & (diff <= 0.5)
    case = np.zeros(i.size, bool)
    lower = np.array([n.lower() for n in models])
    order = np.argsort(lower, kind="stable")
    same = np.flatnonzero(lower[order][1:] == lower[order][:-1])
    pairs = {(min(order[s], order[s + 1]), max(order[s], order[s + 1])) for s in same}
    pos = {p: n for n, p in enumerate(zip(i.tolist(), k.tolist()))}
    case[[pos[p] for p in pairs]] = True
    ex = np.where(pool.comparable, pool.excess, -np.inf)[iu]
    lines += ["", "## Near-duplicates (pool anchors)", "",
              f"{i.size:,} pairs; {int(case.sum())} pairs of names differing only in case; {int(identical.sum())} "
              f"pairs with identical full scores; {int(near.sum())} within 0.5 on every benchmark both have "
              f"(base rate {near[live].mean():.5f} of the checkable pairs). Checkable: at least two benchmarks in "
              "common, neither model at chance; the shares below are of the checkable flagged pairs.", "",
              "| flagged at | pairs flagged | checkable | identical full scores | within 0.5 | case-name pairs found | "
              "identical-score pairs found |", "| --- | --- | --- | --- | --- | --- | --- |"]
    report["duplicates"] = []
    for t in THRESHOLDS:
        f = ex >= t
        r = {"threshold": t, "flagged": int(f.sum()), "checkable": int((f & live).sum()),
             "identical": float(identical[f & live].mean()), "within_half": float(near[f & live].mean()),
             "case_recall": float(f[case].mean()), "identical_recall": float(f[identical].mean())}
        report["duplicates"].append(r)
        lines.append(table_row(t, r["flagged"], r["checkable"], f"{r['identical']:.3f}", f"{r['within_half']:.3f}",
                               f"{r['case_recall']:.3f}", f"{r['identical_recall']:.3f}"))
    lines += ["", f"Ran in {time.perf_counter() - t0:.0f} s."]
    write_results(a.out, lines, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
