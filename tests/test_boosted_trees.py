import json

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

from tinytasks.estimators.boosted_trees import BoostedTrees, fit_boosted_trees


def test_exported_trees_predict_exactly_as_scikit_learn_after_a_json_round_trip():
    rng = np.random.default_rng(0)
    x = rng.random((1500, 4))
    y = 3 * x[:, 0] + np.sin(5 * x[:, 1]) + rng.normal(0, 0.1, 1500)
    trees = fit_boosted_trees(x, y)
    ref = HistGradientBoostingRegressor(max_iter=200, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=20,
                                        early_stopping=False, random_state=0).fit(x, y)
    xt = rng.random((300, 4)) * 1.4 - 0.2  # includes points outside the training range
    loaded = BoostedTrees.from_dict(json.loads(json.dumps(trees.to_dict())))
    np.testing.assert_allclose(loaded.predict(xt), ref.predict(xt), atol=1e-12)
