import numpy as np
import pytest
from conftest import simulate_2pl

from tinytasks.estimators import IRTFitter, ItemBank


def test_2pl_recovers_difficulty_and_slopes():
    y, theta, a, b = simulate_2pl(3000, 60, seed=1)
    fit = IRTFitter(n_dims=1).fit(y)
    assert fit.converged
    true_difficulty = -b / a[:, 0]
    assert np.corrcoef(fit.bank.difficulty, true_difficulty)[0, 1] > 0.95
    assert np.corrcoef(fit.bank.slopes[:, 0], a[:, 0])[0, 1] > 0.8
    assert np.corrcoef(fit.abilities[:, 0], theta[:, 0])[0, 1] > 0.9


def test_m2pl_recovers_response_probabilities():
    y, theta, a, b = simulate_2pl(3000, 80, n_dims=2, seed=2)
    fit = IRTFitter(n_dims=2).fit(y)
    p_true = 1 / (1 + np.exp(-(theta @ a.T + b)))
    p_fit = fit.bank.icc(fit.abilities)
    assert np.corrcoef(p_true.ravel(), p_fit.ravel())[0, 1] > 0.9
    assert np.corrcoef(fit.bank.intercepts, b)[0, 1] > 0.95


def test_fit_handles_missing_cells():
    y, _, a, b = simulate_2pl(2000, 40, seed=3)
    y[np.random.default_rng(0).random(y.shape) < 0.3] = np.nan
    fit = IRTFitter().fit(y)
    assert np.corrcoef(fit.bank.difficulty, -b / a[:, 0])[0, 1] > 0.93


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.array([[0, 1, 2]]), "only 0, 1 or NaN"),
        (np.zeros((0, 3)), "non-empty 2-D"),
        (np.array([[np.nan, np.nan], [1, 0]]), "answered no item"),
    ],
)
def test_bad_matrices_are_rejected(bad, message):
    with pytest.raises(ValueError, match=message):
        IRTFitter().fit(bad)


def test_item_bank_rejects_mismatched_parameters():
    with pytest.raises(ValueError, match="slopes describe"):
        ItemBank(np.ones((3, 1)), np.zeros(4))
    with pytest.raises(ValueError, match="NaN"):
        ItemBank(np.ones((2, 1)), np.array([0.0, np.nan]))
