"""A lineup's joint-estimate parameter file: the joint correction and each
task's error correlation between models, as a checked manifest and .npz
pair (see param_file)."""

from __future__ import annotations

from pathlib import Path

from .joint import JointCorrection
from .param_file import REINSTALL, read_pair, write_pair
from .ranking import ErrorCorrelation

JOINT_FORMAT = "tinytasks-joint-params"
JOINT_FORMAT_VERSION = 4


def write_joint_file(path: str | Path, joint: JointCorrection, metadata: dict,
                     correlation: dict[str, ErrorCorrelation]) -> dict:
    """Write a lineup's joint-estimate parameter file and its .npz (byte-identical
    for identical inputs): the joint correction and each task's error correlation
    between models."""
    return write_pair(Path(path), JOINT_FORMAT, JOINT_FORMAT_VERSION,
                       {"metadata": metadata, "joint": joint.to_dict(),
                        "error_correlation": {t: c.to_dict() for t, c in correlation.items()}})


def load_joint(path: str | Path) -> tuple[JointCorrection, dict]:
    """The joint correction and the metadata of a checked joint parameter file."""
    doc = read_pair(path, JOINT_FORMAT, JOINT_FORMAT_VERSION, REINSTALL)
    return JointCorrection.from_dict(doc["joint"]), doc["metadata"]


def load_error_correlation(path: str | Path) -> dict[str, ErrorCorrelation]:
    """Per task, the correlation of two models' errors, from a checked joint parameter file."""
    doc = read_pair(path, JOINT_FORMAT, JOINT_FORMAT_VERSION, REINSTALL)
    return {t: ErrorCorrelation.from_dict(c) for t, c in doc["error_correlation"].items()}
