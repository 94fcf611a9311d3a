"""tinytasks' statistics: IRT fitting, anchor selection, ability and
full-score estimation, validation and parameter files. No lm-eval import.

The names below are loaded from their modules on first use, so importing
one of them (say, to score a fixed task) does not import the rest (the
adaptive tests, the validation, the joint estimate)."""

from importlib import import_module

_MODULE_OF = {
    "AbilityEstimate": "ability", "AbilityPrior": "ability", "estimate_ability": "ability",
    "SELECTION_RULES": "adaptive", "AdaptiveSettings": "adaptive", "AdaptiveTest": "adaptive",
    "simulate_adaptive": "adaptive",
    "ANCHOR_METHODS": "anchors", "AnchorSet": "anchors", "select_anchors": "anchors", "spread_order": "anchors",
    "FittedIRT": "irt", "IRTFitter": "irt", "ItemBank": "irt",
    "JointCorrection": "joint",
    "ParamFileError": "param_file", "load_estimator": "param_file", "read_param_document": "param_file",
    "write_param_file": "param_file",
    "load_joint": "joint_file", "write_joint_file": "joint_file",
    "read_responses_csv": "tables", "read_scores_csv": "tables",
    "ScoreEstimate": "calibration",
    "TinyEstimator": "tiny_estimator",
    "cross_validate": "validation", "score_metrics": "metrics",
}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_MODULE_OF[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
