"""Choosing k anchor items from a fitted pool, reproducibly from a seed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans
from sklearn.linear_model import OrthogonalMatchingPursuit

from .checks import check_budget
from .irt import ItemBank

ANCHOR_METHODS = ("random", "stratified", "kmeans", "fisher", "supervised")
# Below this many calibration models per anchor the supervised choice fits
# their noise: on the shared MMLU data, 51 anchors chosen on 100 or 300 models
# erred more than stratified ones, on 500 as much (benchmarks/anchor_choice.py).
SUPERVISED_MIN_MODELS_PER_ANCHOR = 10


@dataclass
class AnchorSet:
    """Chosen item indices (sorted) and their weights (summing to 1), which
    say how much of the pool each anchor stands for."""

    items: np.ndarray
    weights: np.ndarray
    method: str


def select_anchors(
    bank: ItemBank,
    k: int,
    method: str = "kmeans",
    seed: int = 0,
    abilities: np.ndarray | None = None,
    responses: np.ndarray | None = None,
    scores: np.ndarray | None = None,
) -> AnchorSet:
    """Pick k of the bank's items.

    random: uniform; stratified: one item per difficulty stratum; kmeans:
    the item nearest each centroid of k-means on the item parameters, weighted
    by cluster size (tinyBenchmarks' anchor points); fisher: greedy maximum of
    the summed log test information at the calibration abilities;
    supervised: the k items whose answers best predict the calibration
    models' full scores (`responses` to the bank's items, `scores`) by
    orthogonal matching pursuit, falling back to stratified (and saying so in
    the result's `method`) with fewer than SUPERVISED_MIN_MODELS_PER_ANCHOR
    calibration models per anchor.
    """
    k = check_budget(k, bank.n_items)
    rng = np.random.default_rng(seed)
    n = bank.n_items
    if method == "random":
        items = rng.choice(n, size=k, replace=False)
        return _uniform(items, method)
    if method == "stratified":
        order = np.argsort(bank.difficulty, kind="stable")
        strata = np.array_split(order, k)
        items = np.array([s[rng.integers(len(s))] for s in strata])
        return _uniform(items, method)
    if method == "kmeans":
        return _kmeans(bank, k, seed)
    if method == "fisher":
        if abilities is None:
            raise ValueError("fisher anchors need the calibration models' abilities")
        return _fisher(bank, k, np.asarray(abilities, dtype=float), rng)
    if method == "supervised":
        if responses is None or scores is None:
            raise ValueError("supervised anchors need the calibration models' responses and full scores")
        if np.shape(responses)[0] < SUPERVISED_MIN_MODELS_PER_ANCHOR * k:
            return select_anchors(bank, k, "stratified", seed)
        return _supervised(bank, k, np.asarray(responses, dtype=float), np.asarray(scores, dtype=float))
    raise ValueError(f"unknown anchor method {method!r}; choose one of {ANCHOR_METHODS}")


def _uniform(items: np.ndarray, method: str) -> AnchorSet:
    items = np.sort(np.asarray(items, dtype=int))
    return AnchorSet(items, np.full(items.size, 1.0 / items.size), method)


def _kmeans(bank: ItemBank, k: int, seed: int) -> AnchorSet:
    emb = np.column_stack([bank.slopes, bank.intercepts])
    if k == bank.n_items:
        return _uniform(np.arange(k), "kmeans")
    km = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(emb)
    dist = ((emb[:, None, :] - km.cluster_centers_[None]) ** 2).sum(-1)  # items x clusters
    # Each cluster's anchor is its member nearest the centroid.
    dist_own = np.where(km.labels_[:, None] == np.arange(k)[None], dist, np.inf)
    items = dist_own.argmin(0)
    sizes = np.bincount(km.labels_, minlength=k).astype(float)
    order = np.argsort(items)
    return AnchorSet(items[order], (sizes / sizes.sum())[order], "kmeans")


def _fisher(bank: ItemBank, k: int, abilities: np.ndarray, rng) -> AnchorSet:
    if abilities.ndim == 1:
        abilities = abilities[:, None]
    if abilities.shape[0] > 400:
        abilities = abilities[rng.choice(abilities.shape[0], 400, replace=False)]
    info = bank.information(abilities)  # models x items
    total = np.full(info.shape[0], 0.25)  # prior information keeps log finite
    chosen = np.zeros(bank.n_items, dtype=bool)
    for _ in range(k):
        gain = np.log(total[:, None] + info).sum(0)
        gain[chosen] = -np.inf
        best = int(np.argmax(gain))
        chosen[best] = True
        total = total + info[:, best]
    return _uniform(np.flatnonzero(chosen), "fisher")


def _supervised(bank: ItemBank, k: int, responses: np.ndarray, scores: np.ndarray) -> AnchorSet:
    if responses.shape[1] != bank.n_items:
        raise ValueError(f"responses have {responses.shape[1]} items but the bank has {bank.n_items}")
    filled = np.where(np.isnan(responses), np.nanmean(responses, 0), responses)
    spread = filled.std(0)
    varying = spread > 0  # an item every model answered alike says nothing about the score
    x = (filled[:, varying] - filled[:, varying].mean(0)) / spread[varying]
    n_pick = min(k, int(varying.sum()), x.shape[0] - 1)
    chosen = np.zeros(bank.n_items, dtype=bool)
    if n_pick > 0:
        omp = OrthogonalMatchingPursuit(n_nonzero_coefs=n_pick).fit(x, scores)
        chosen[np.flatnonzero(varying)[omp.coef_ != 0]] = True
    if chosen.sum() < k:  # too few items vary, or the pursuit fitted the scores exactly: top up by difficulty strata
        rest = np.flatnonzero(~chosen)
        chosen[rest[np.argsort(bank.difficulty[rest], kind="stable")][
            np.linspace(0, rest.size - 1, k - chosen.sum()).round().astype(int)]] = True
    return _uniform(np.flatnonzero(chosen), "supervised")


def spread_order(bank: ItemBank) -> np.ndarray:
    """An order of the bank's items in which every prefix spreads evenly over
    the difficulty range: the easiest first, then the median, then the
    quartiles, the octiles and so on (difficulty quantiles in van der Corput
    order).

    A run that answers only the first k anchors (`lm_eval --limit k`) thus
    answers a difficulty-stratified subset rather than, say, one subject."""
    n = bank.n_items
    m = max(int(np.ceil(np.log2(n))), 1)
    k = np.arange(2**m)
    reversed_bits = np.zeros(k.size)
    for bit in range(m):  # m = log2(n) passes, vectorised over all positions
        reversed_bits += ((k >> bit) & 1) / 2.0 ** (bit + 1)
    rank = np.floor(reversed_bits * n).astype(int)  # hits every rank, as the steps n / 2**m are below 1
    _, first = np.unique(rank, return_index=True)
    return np.argsort(bank.difficulty, kind="stable")[rank[np.sort(first)]]
