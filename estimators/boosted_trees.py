"""Gradient-boosted regression trees (fitted by scikit-learn's
HistGradientBoostingRegressor) exported to plain arrays, so a fitted map can
live in a JSON parameter file and be evaluated without pickle. Trees fit on,
and split, inputs on the decision grid (see `grid`): a split at a
calibration model's own value then goes the same way on every machine."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

from .grid import on_grid

FIELDS = ("feature", "threshold", "left", "right", "is_leaf", "value")
DTYPES = {"feature": int, "threshold": float, "left": int, "right": int, "is_leaf": bool, "value": float}
# The exporter reads the fitted trees' node tables, which scikit-learn keeps in
# private attributes (no public route gives the thresholds it compares with):
# checked at every fit, and the versions whose layout this was written for.
SKLEARN_TESTED = ("1.3", "1.9")


@dataclass
class BoostedTrees:
    """Trees as node tables: for each tree, arrays indexed by node."""

    baseline: float
    trees: list[dict]

    def predict(self, x: np.ndarray) -> np.ndarray:
        x = on_grid(x)
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
        """The trees' node tables concatenated, one array per field, with each
        tree's node count. Fields `predict` never reads (a leaf's split, a
        split's value) are written as 0, which compresses to almost nothing."""
        if not self.trees:
            return {"baseline": self.baseline, "n_nodes": [], **{k: [] for k in FIELDS}}
        cols = {k: np.concatenate([t[k] for t in self.trees]) for k in FIELDS}
        leaf = cols["is_leaf"]
        for k in ("feature", "threshold", "left", "right"):
            cols[k] = np.where(leaf, 0, cols[k]).astype(cols[k].dtype)
        cols["value"] = np.where(leaf, cols["value"], 0.0)
        return {"baseline": self.baseline, "n_nodes": [int(t["feature"].size) for t in self.trees],
                **{k: v.tolist() for k, v in cols.items()}}

    @classmethod
    def from_dict(cls, d: dict) -> "BoostedTrees":
        cuts = np.cumsum(np.asarray(d["n_nodes"], int))[:-1]
        columns = {k: np.split(np.asarray(d[k], dtype), cuts) for k, dtype in DTYPES.items()}
        trees = [{k: columns[k][i] for k in FIELDS} for i in range(len(d["n_nodes"]))]
        return cls(float(d["baseline"]), trees)


def fit_boosted_trees(x: np.ndarray, y: np.ndarray, seed: int = 0) -> BoostedTrees:
    """Fit (deterministically: no early stopping, no subsampling) on `x` on
    the decision grid, and export."""
    x = on_grid(x)
    m = HistGradientBoostingRegressor(
        max_iter=200, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=20,
        early_stopping=False, random_state=seed,
    ).fit(x, y)
    trees = []
    for (pred,) in _predictors(m):
        nodes = pred.nodes
        if nodes["is_categorical"].any() or np.isnan(x).any():
            raise ValueError("boosted trees here take numeric features without missing values")
        trees.append({
            "feature": nodes["feature_idx"].astype(int), "threshold": nodes["num_threshold"].astype(float),
            "left": nodes["left"].astype(int), "right": nodes["right"].astype(int),
            "is_leaf": nodes["is_leaf"].astype(bool), "value": nodes["value"].astype(float),
        })
    return BoostedTrees(float(np.ravel(m._baseline_prediction)[0]), trees)


def _predictors(model: HistGradientBoostingRegressor):
    """The fitted model's tree predictors, or a clear error where this
    scikit-learn keeps them differently from the versions tested."""
    import sklearn

    nodes = getattr(model, "_predictors", None)
    fields = ("feature_idx", "num_threshold", "left", "right", "is_leaf", "value", "is_categorical")
    if (nodes is None or not hasattr(model, "_baseline_prediction")
            or any(f not in nodes[0][0].nodes.dtype.names for f in fields)):
        raise RuntimeError(
            f"scikit-learn {sklearn.__version__} stores fitted gradient-boosted trees differently from the versions "
            f"tinytasks exports them from ({SKLEARN_TESTED[0]}-{SKLEARN_TESTED[1]}); install scikit-learn as pinned "
            "in scripts/constraints.txt to fit"
        )
    return nodes
