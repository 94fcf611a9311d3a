import numpy as np
import pytest
from conftest import simulate_2pl

from estimators import ANCHOR_METHODS, IRTFitter, ItemBank, select_anchors, spread_order


@pytest.fixture(scope="module")
def fitted():
    y, _, _, _ = simulate_2pl(800, 120, seed=6)
    return IRTFitter().fit(y)


@pytest.mark.parametrize("method", ANCHOR_METHODS)
def test_anchor_sets_are_valid_and_reproducible(fitted, method):
    a1 = select_anchors(fitted.bank, 20, method, seed=7, abilities=fitted.abilities)
    a2 = select_anchors(fitted.bank, 20, method, seed=7, abilities=fitted.abilities)
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
