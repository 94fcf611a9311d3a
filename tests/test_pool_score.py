import numpy as np
from conftest import simulate_2pl

from benchmarks.pool_score import pool_accuracy
from tinytasks.estimators import IRTFitter, select_anchors
from tinytasks.estimators.ability import AbilityPrior


def test_irt_estimators_beat_the_anchor_mean_on_the_pool():
    y, _, _, _ = simulate_2pl(2500, 200, seed=8)
    train, test = y[:2000], y[2000:]
    fit = IRTFitter().fit(train)
    prior = AbilityPrior.from_abilities(fit.abilities)
    anchors = select_anchors(fit.bank, 15, "random", seed=0)
    seen = np.full_like(test, np.nan)
    seen[:, anchors.items] = test[:, anchors.items]
    truth = test.mean(1)
    err = {m: np.abs(pool_accuracy(seen, fit.bank, m, prior) - truth).mean()
           for m in ("anchor_mean", "irt", "pirt", "gpirt")}
    assert err["pirt"] < err["anchor_mean"]
    assert err["gpirt"] < err["anchor_mean"]
    assert err["irt"] < err["anchor_mean"], err
