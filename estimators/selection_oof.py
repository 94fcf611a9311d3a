"""Out-of-fold estimates with the anchors chosen inside each fold.

A score map fitted on the models that chose its (supervised) anchors has
residuals that are too small: the anchors fit those models' noise. These
out-of-fold spline predictions, on the score map's own folds, with each
fold's anchors chosen without it, let `ScoreMap.fit` widen its interval by
the ratio of their residual quantile to its own (`selection_oof`). Without
that widening, 100 supervised anchors on the shared GSM8K data covered 90.5%
of held-out models instead of 95%.
"""

from __future__ import annotations

import numpy as np

from .anchors import select_anchors
from .calibration import Calibration
from .score_map import fit_linear_spline, model_folds


def selection_oof(calibration: Calibration, responses: np.ndarray, scores: np.ndarray, pool: np.ndarray,
                  seed: int = 0) -> np.ndarray:
    """Per calibration model, the spline's full-score estimate from anchors
    chosen (supervised, as many as `calibration` has, among `pool`) on the
    other folds' models."""
    k = calibration.n_anchors
    oof = np.empty_like(scores)
    for tr, te in model_folds(len(scores), seed=seed):
        chosen = pool[select_anchors(calibration.bank.subset(pool), k, "supervised", seed,
                                     responses=responses[tr][:, pool], scores=scores[tr]).items]
        f, _, _ = calibration.features(responses[:, chosen], chosen)
        oof[te] = fit_linear_spline(f[tr], scores[tr], calibration.n_summary).predict(f[te])
    return oof
