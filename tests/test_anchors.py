import numpy as np
import pytest
from conftest import simulate_2pl

from tinytasks.estimators import ANCHOR_METHODS, IRTFitter, ItemBank, select_anchors, spread_order
from tinytasks.estimators.anchors import SUPERVISED_MIN_MODELS_PER_ANCHOR


@pytest.fixture(scope="module")
def simulated():
    y, theta, _, _ = simulate_2pl(800, 120, seed=6)
    return y, 100 / (1 + np.exp(-theta[:, 0]))


@pytest.fixture(scope="module")
def fitted(simulated):
    return IRTFitter().fit(simulated[0])


@pytest.mark.parametrize("method", ANCHOR_METHODS)
def test_anchor_sets_are_valid_and_reproducible(fitted, simulated, method):
    y, scores = simulated
    a1 = select_anchors(fitted.bank, 20, method, seed=7, abilities=fitted.abilities, responses=y, scores=scores)
    a2 = select_anchors(fitted.bank, 20, method, seed=7, abilities=fitted.abilities, responses=y, scores=scores)
    assert a1.method == method
    assert a1.items.size == 20 and np.unique(a1.items).size == 20
    assert np.all(np.diff(a1.items) > 0)
    assert np.isclose(a1.weights.sum(), 1.0)
    np.testing.assert_array_equal(a1.items, a2.items)


def test_seed_changes_random_anchors(fitted):
    a = select_anchors(fitted.bank, 20, "random", seed=1)
    b = select_anchors(fitted.bank, 20, "random", seed=2)
    assert not np.array_equal(a.items, b.items)


def test_stratified_anchors_span_the_difficulty_range(fitted):
    d = fitted.bank.difficulty
    chosen = d[select_anchors(fitted.bank, 10, "stratified").items]
    assert chosen.min() <= np.quantile(d, 0.1) and chosen.max() >= np.quantile(d, 0.9)


def test_budget_errors(fitted):
    with pytest.raises(ValueError, match="larger than the pool of 120"):
        select_anchors(fitted.bank, 500, "random")
    with pytest.raises(ValueError, match="positive integer"):
        select_anchors(fitted.bank, 0, "random")
    with pytest.raises(ValueError, match="unknown anchor method"):
        select_anchors(fitted.bank, 5, "best")


def test_supervised_anchors_are_the_items_the_score_depends_on():
    """Half the pool measures the skill the full score counts, half another
    one: the supervised choice takes the first half, whatever the difficulty."""
    rng = np.random.default_rng(3)
    n_models, n_items = 1500, 80
    theta = rng.standard_normal((n_models, 2))
    slopes = np.zeros((n_items, 2))
    slopes[: n_items // 2, 0] = rng.uniform(0.8, 2.0, n_items // 2)
    slopes[n_items // 2:, 1] = rng.uniform(0.8, 2.0, n_items // 2)
    intercepts = rng.normal(0, 1.5, n_items)
    y = (rng.random((n_models, n_items)) < 1 / (1 + np.exp(-(theta @ slopes.T + intercepts)))).astype(float)
    y[rng.random(y.shape) < 0.05] = np.nan  # missing answers are allowed
    scores = 100 / (1 + np.exp(-theta[:, 0]))
    bank = ItemBank(slopes, intercepts)
    chosen = select_anchors(bank, 15, "supervised", responses=y, scores=scores).items
    assert np.mean(chosen < n_items // 2) >= 0.9
    assert np.mean(select_anchors(bank, 15, "stratified").items < n_items // 2) < 0.8  # not by difficulty


def test_supervised_anchors_need_enough_models(fitted, simulated):
    y, scores = simulated
    few = SUPERVISED_MIN_MODELS_PER_ANCHOR * 20 - 1
    a = select_anchors(fitted.bank, 20, "supervised", seed=7, responses=y[:few], scores=scores[:few])
    assert a.method == "stratified"
    np.testing.assert_array_equal(a.items, select_anchors(fitted.bank, 20, "stratified", seed=7).items)
    with pytest.raises(ValueError, match="responses and full scores"):
        select_anchors(fitted.bank, 20, "supervised")
    with pytest.raises(ValueError, match="120"):
        select_anchors(fitted.bank, 5, "supervised", responses=y[:, :50], scores=scores)


@pytest.mark.parametrize("n", [1, 2, 7, 102, 120])
def test_every_prefix_of_the_spread_order_is_stratified_by_difficulty(n):
    rng = np.random.default_rng(n)
    bank = ItemBank(rng.uniform(0.5, 2, (n, 2)), rng.normal(size=n))
    order = spread_order(bank)
    assert np.array_equal(np.sort(order), np.arange(n))
    rank = np.argsort(np.argsort(bank.difficulty, kind="stable"), kind="stable")[order]
    assert rank[0] == 0 and (n < 2 or rank[1] == n // 2)  # the easiest, then the median
    for j in range(int(np.log2(n)) + 1):  # the first 2**j: the items at the 2**j-quantiles of difficulty
        k = 2**j
        assert np.array_equal(np.sort(rank[:k]), np.arange(k) * n // k)
