"""tinytasks' statistics: IRT fitting, anchor selection, ability and
full-score estimation, validation and parameter files. No lm-eval import."""

from .ability import AbilityEstimate, AbilityPrior, estimate_ability
from .adaptive import SELECTION_RULES, AdaptiveSettings, AdaptiveTest, simulate_adaptive
from .anchors import ANCHOR_METHODS, AnchorSet, select_anchors, spread_order
from .irt import FittedIRT, IRTFitter, ItemBank
from .joint import JointCorrection
from .param_file import (ParamFileError, load_estimator, load_joint, read_param_document, write_joint_file,
                         write_param_file)
from .pool_score import POOL_ESTIMATORS, pool_accuracy
from .tables import read_responses_csv, read_scores_csv
from .calibration import ScoreEstimate
from .tiny_estimator import TinyEstimator
from .validation import cross_validate, score_metrics

__all__ = [
    "ANCHOR_METHODS", "AbilityEstimate", "AbilityPrior", "AdaptiveSettings", "AdaptiveTest", "AnchorSet",
    "FittedIRT", "IRTFitter", "ItemBank", "JointCorrection", "POOL_ESTIMATORS", "ParamFileError", "SELECTION_RULES",
    "ScoreEstimate", "TinyEstimator", "cross_validate", "estimate_ability", "load_estimator", "load_joint", "pool_accuracy",
    "read_param_document", "read_responses_csv", "read_scores_csv", "score_metrics", "select_anchors", "spread_order",
    "simulate_adaptive", "write_joint_file", "write_param_file",
]
