"""`tinytasks similar RESULTS...`: the calibration models that answer most
like a model beyond what its ability explains, possible duplicates of known
models, a nearest-neighbour score estimate as a cross-check, and for several
models a dendrogram."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinytasks.estimators.similarity import DUPLICATE_AT, MIN_EXPECTED_DISAGREEMENTS, Agreement, AnswerSet, agreement

from .anchor_answers import ReferenceAnswers, load_reference_answers
from .compare import one_task_per_benchmark, read_estimates
from .registry import BENCHMARK_OF_TASK
from .results_files import samples_results

NEIGHBOURS = 5  # models averaged by the nearest-neighbour estimate
MIN_SHARED = 20  # items a neighbour must share with the model on a benchmark


@dataclass
class Query:
    name: str
    source: str
    answers: dict[str, AnswerSet]  # per benchmark, over the reference keys
    n_answered: dict[str, int]
    estimates: dict[str, tuple[float, float, float]]  # benchmark -> the tiny estimate in the results file


def read_query(path: str, ref: ReferenceAnswers) -> Query:
    """A model's answers from lm-eval output written with --log_samples."""
    try:
        model, keyed = samples_results(path)
    except ValueError as e:
        raise ValueError(f"{path}: `similar` reads runs of the tiny tasks written with --log_samples ({e})") from e
    answers, counts = {}, {}
    for b, block in ref.benchmarks.items():
        col = block.column_of
        y = np.full((1, len(block.keys)), np.nan)
        hits = [(col[k], v) for k, v in keyed.items() if k in col]
        if hits:
            idx, vals = zip(*hits)
            y[0, list(idx)] = vals
        counts[b] = len(hits)
        answers[b] = block.answer_set(y) if hits else AnswerSet(y, np.full(y.shape, 0.5))
    unknown = len(keyed) - sum(counts.values())
    if not sum(counts.values()):
        raise ValueError(f"{path}: none of its {len(keyed)} answers is to a shipped anchor; run tiny tasks "
                         "with --log_samples")
    estimates = {}
    if Path(path).suffix != ".jsonl":
        _, est = read_estimates(path)
        estimates = {BENCHMARK_OF_TASK[t]: est[t] for t in one_task_per_benchmark(est)}
    if unknown:
        counts["(not an anchor)"] = unknown
    return Query(model, str(path), answers, counts, estimates)


def stacked(queries: list[Query], benchmarks: list[str]) -> list[AnswerSet]:
    """Per benchmark, the queries' answers as one answer set (a row each)."""
    return [AnswerSet(np.vstack([q.answers[b].answers for q in queries]),
                      np.vstack([q.answers[b].prob for q in queries])) for b in benchmarks]


def agreement_with_references(queries: list[Query], ref: ReferenceAnswers) -> Agreement:
    benches = list(ref.benchmarks)
    return agreement(stacked(queries, benches), [ref.benchmarks[b].answers for b in benches])


def nearest_by_agreement(observed: np.ndarray, ok: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray:
    """Mask (same shape; rows: models) of the k eligible (`ok`) references of
    highest agreement per row, and of every reference tied with the k-th (on
    few items many tie; picking among them by position would bias the
    estimate)."""
    vals = np.where(ok, observed, -np.inf)
    kth = np.partition(vals, -k, axis=-1)[..., -k]
    return ok & (vals >= kth[..., None])


def neighbour_estimates(q: Query, ref: ReferenceAnswers) -> dict[str, float]:
    """Per benchmark the model answered: the mean full score of the
    NEIGHBOURS calibration models whose answers agree most with its answers
    there (sharing at least MIN_SHARED items)."""
    out = {}
    for b, block in ref.benchmarks.items():
        if not q.n_answered.get(b):
            continue
        a = agreement([q.answers[b]], [block.answers])
        ok = (a.n_items[0] >= min(MIN_SHARED, q.n_answered[b])) & ~np.isnan(block.scores)
        if ok.sum() < NEIGHBOURS:
            continue
        out[b] = float(block.scores[nearest_by_agreement(a.observed[0], ok)].mean())
    return out


def format_similar(paths: list[str], top: int = 10, dendrogram: str | None = None) -> str:
    """The report of `tinytasks similar`."""
    ref = load_reference_answers()
    queries = [read_query(p, ref) for p in paths]
    agree = agreement_with_references(queries, ref)
    excess, comparable, duplicate = agree.excess, agree.comparable, agree.duplicate
    lines = []
    for i, q in enumerate(queries):
        answered = ", ".join(f"{b} {n}" for b, n in q.n_answered.items() if n)
        lines += [f"## {q.name}", "", f"answers read from {q.source}: {answered}", ""]
        row = np.where(comparable[i], np.nan_to_num(excess[i], nan=-np.inf), -np.inf)
        if not np.isfinite(row).any():
            lines += [f"no calibration model is comparable: too few answers where the two were expected to differ "
                      f"(need {MIN_EXPECTED_DISAGREEMENTS:g} expected disagreements); run more anchors", ""]
        else:
            lines += [f"nearest calibration models (excess agreement beyond equal ability: 0 unrelated, 1 identical; "
                      f"near-duplicate at {DUPLICATE_AT}):", "",
                      "| model | excess agreement | items shared | agreement | expected at their abilities |",
                      "| --- | --- | --- | --- | --- |"]
            for j in np.argsort(-row, kind="stable")[:top]:
                if not np.isfinite(row[j]):
                    break
                flag = " **possible duplicate**" if duplicate[i, j] else ""
                lines.append(f"| {ref.models[j]}{flag} | {excess[i, j]:.3f} | {agree.n_items[i, j]:.0f} | "
                             f"{agree.observed[i, j]:.3f} | {agree.expected[i, j]:.3f} |")
            dups = np.flatnonzero(duplicate[i])
            lines += ["", (f"possible duplicate of {', '.join(ref.models[j] for j in dups)} (a resubmission, merge "
                           "or rename of a known model?)" if dups.size
                           else "no near-duplicate among the calibration models")]
        nn = neighbour_estimates(q, ref)
        if nn:
            lines += ["", f"nearest-neighbour estimate (mean full score of the {NEIGHBOURS} calibration models that "
                          "answer most alike, with any tied with the last) beside the tiny estimate, as a "
                          "cross-check:", "",
                      "| benchmark | nearest-neighbour | tiny estimate |", "| --- | --- | --- |"]
            for b, v in nn.items():
                e = q.estimates.get(b)
                tiny = f"{e[0]:.2f} [{e[1]:.2f}, {e[2]:.2f}]" if e else "- (no estimate in the file)"
                lines.append(f"| {b} | {v:.2f} | {tiny} |")
        lines.append("")
    by_licence: dict[str, list[str]] = {}
    for b, lic in ref.licence.items():
        by_licence.setdefault(lic, []).append(b)
    lines.append("calibration answers' licences: " + " | ".join(f"{', '.join(bs)}: {lic}"
                                                             for lic, bs in by_licence.items()))
    if dendrogram:
        lines.append(f"wrote {write_dendrogram(queries, ref, Path(dendrogram))}")
    return "\n".join(lines)


def write_dendrogram(queries: list[Query], ref: ReferenceAnswers, path: Path) -> Path:
    """Average-linkage tree of the models by 1 - excess agreement (PNG).
    Models near chance agree only as predicted, and sit apart from everything."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from scipy.cluster.hierarchy import dendrogram, linkage
    from scipy.spatial.distance import squareform

    if len(queries) < 3:
        raise ValueError("a dendrogram needs at least three results files")
    stack = stacked(queries, list(ref.benchmarks))
    ex = agreement(stack, stack).excess
    if np.isnan(ex).any():
        raise ValueError("some results files share no answered anchor; run the same tiny tasks")
    dist = np.clip(1 - (ex + ex.T) / 2, 0, None)
    np.fill_diagonal(dist, 0)
    fig, ax = plt.subplots(figsize=(8, 1 + 0.4 * len(queries)))
    dendrogram(linkage(squareform(dist, checks=False), "average"), labels=[q.name for q in queries],
               orientation="left", ax=ax)
    ax.set_xlabel("1 - excess agreement")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
