"""Gradient-boosted regression trees (fitted by scikit-learn's
HistGradientBoostingRegressor) exported to plain arrays, so a fitted map can
live in a JSON parameter file and be evaluated without pickle."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

FIELDS = ("feature", "threshold", "left", "right", "is_leaf", "value")


@dataclass
class BoostedTrees:
    """Trees as node tables: for each tree, arrays indexed by node."""

    baseline: float
    trees: list[dict]

    def predict(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        out = np.full(x.shape[0], self.baseline)
        rows = np.arange(x.shape[0])
        for t in self.trees:  # a few hundred trees; each walk is vectorised over models
            node = np.zeros(x.shape[0], dtype=int)
            leaf = t["is_leaf"]
            while True:
                active = ~leaf[node]
                if not active.any():
                    break
                n = node[active]
                go_left = x[rows[active], t["feature"][n]] <= t["threshold"][n]
                node[active] = np.where(go_left, t["left"][n], t["right"][n])
            out += t["value"][node]
        return out

    def to_dict(self) -> dict:
        return {"baseline": self.baseline,
                "trees": [{k: t[k].tolist() for k in FIELDS} for t in self.trees]}

    @classmethod
    def from_dict(cls, d: dict) -> "BoostedTrees":
        trees = []
        for t in d["trees"]:
            trees.append({
                "feature": np.asarray(t["feature"], int), "threshold": np.asarray(t["threshold"], float),
                "left": np.asarray(t["left"], int), "right": np.asarray(t["right"], int),
                "is_leaf": np.asarray(t["is_leaf"], bool), "value": np.asarray(t["value"], float),
            })
        return cls(float(d["baseline"]), trees)


def fit_boosted_trees(x: np.ndarray, y: np.ndarray, seed: int = 0) -> BoostedTrees:
    """Fit (deterministically: no early stopping, no subsampling) and export."""
    m = HistGradientBoostingRegressor(
        max_iter=200, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=20,
        early_stopping=False, random_state=seed,
    ).fit(x, y)
    trees = []
    for (pred,) in m._predictors:
        nodes = pred.nodes
        if nodes["is_categorical"].any() or np.isnan(x).any():
            raise ValueError("boosted trees here take numeric features without missing values")
        trees.append({
            "feature": nodes["feature_idx"].astype(int), "threshold": nodes["num_threshold"].astype(float),
            "left": nodes["left"].astype(int), "right": nodes["right"].astype(int),
            "is_leaf": nodes["is_leaf"].astype(bool), "value": nodes["value"].astype(float),
        })
    return BoostedTrees(float(np.ravel(m._baseline_prediction)[0]), trees)
