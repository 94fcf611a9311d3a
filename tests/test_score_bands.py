"""Score-band (label-conditional) conformal intervals of the score map."""

import numpy as np

from tinytasks.estimators.score_map import (BAND_PERCENTILES, ScoreMap, band_interval, band_quantiles,
                                             conformal_quantile)


def test_conformal_quantile_is_the_finite_sample_rank():
    r = np.arange(1.0, 20.0)  # 19 values: ceil(20 * 0.95) = 19th smallest
    assert conformal_quantile(r, 0.95) == 19.0
    assert conformal_quantile(np.arange(1.0, 101.0), 0.9) == 91.0  # ceil(101 * 0.9) = 91
    assert conformal_quantile(np.array([3.0, 1.0]), 0.95) == 3.0  # too few: the largest


def test_the_interval_is_the_hull_of_the_scores_each_band_admits():
    edges = np.array([40.0, 60.0])
    q = np.array([8.0, 2.0, 5.0])  # outer bands in points, the inner one in sigmas
    mu, sigma = np.array([50.0, 58.0, 30.0]), np.array([1.0, 1.0, 3.0])
    lo, hi = band_interval(mu, sigma, edges, q)
    # mu 50: only its own band reaches: 50 +- 2 sigma
    np.testing.assert_allclose([lo[0], hi[0]], [48.0, 52.0])
    # mu 58: its band gives [56, 60]; the top band admits [60, 63]; the hull is [56, 63]
    np.testing.assert_allclose([lo[1], hi[1]], [56.0, 63.0])
    # mu 30 in the bottom band: [22, 38] there; the middle band would need |y - 30| <= 6 with y >= 40
    np.testing.assert_allclose([lo[2], hi[2]], [22.0, 38.0])
    assert np.all((lo <= mu) & (mu <= hi))


def test_equal_quantiles_in_points_give_the_symmetric_interval():
    edges = np.array([40.0, 60.0])
    mu = np.linspace(20, 80, 13)
    lo, hi = band_interval(mu, np.ones_like(mu), edges, np.array([3.0, 3.0, 3.0]))
    np.testing.assert_allclose(lo, mu - 3.0)
    np.testing.assert_allclose(hi, mu + 3.0)


def test_each_score_band_is_covered_where_one_quantile_misses_the_strongest():
    """Estimates that regress towards the mean (as every map's do) leave the
    strongest models under their intervals when one quantile sizes them all;
    the band quantiles cover every band, fitted and scored on separate models."""
    rng = np.random.default_rng(0)
    n = 100000
    truth = rng.normal(60, 10, n)
    estimate = 60 + 0.8 * (truth - 60) + rng.normal(0, 2, n)  # shrunk towards the mean, plus noise
    sigma = np.full(n, 2.0)
    fit, test = np.arange(n) < n // 2, np.arange(n) >= n // 2
    resid = truth[fit] - estimate[fit]
    one_q = conformal_quantile(np.abs(resid) / sigma[fit], 0.95)
    edges, q = band_quantiles(truth[fit], resid, sigma[fit], 0.95)
    lo, hi = band_interval(estimate[test], sigma[test], edges, q)
    t = truth[test]
    top = t >= np.percentile(t, 100 - BAND_PERCENTILES[0])
    one_covered = np.abs(t - estimate[test]) <= one_q * sigma[test]
    band_covered = (t >= lo) & (t <= hi)
    assert one_covered[top].mean() < 0.85
    band = np.searchsorted(edges, t, side="right")
    for k in range(edges.size + 1):
        assert 0.935 <= band_covered[band == k].mean() <= 0.97, k


def test_the_score_map_round_trips_its_bands():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 4))
    y = 50 + 10 * x[:, 0] + rng.normal(0, 1, 400)
    m = ScoreMap(use_trees=False).fit(x, y, n_smooth=2)
    assert m.band_edges_.size == len(BAND_PERCENTILES) and m.band_quantiles_.size == len(BAND_PERCENTILES) + 1
    again = ScoreMap.from_dict(m.to_dict())
    for a, b in zip(m.predict(x), again.predict(x)):
        np.testing.assert_array_equal(a, b)
