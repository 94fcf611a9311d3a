"""Parameter files: a fitted TinyEstimator plus metadata in versioned,
checksummed, human-readable JSON. Never pickle."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from .joint import JointCorrection
from .tiny_estimator import TinyEstimator

FORMAT = "tinytasks-params"
FORMAT_VERSION = 11
JOINT_FORMAT = "tinytasks-joint-params"
JOINT_FORMAT_VERSION = 2
# An innermost JSON array (numbers, strings, booleans only), as json.dumps(indent=1) lays it out.
_FLAT_ARRAY = re.compile(r"\[\n[^\[\]{}]*?\n *\]")


class ParamFileError(ValueError):
    """A parameter file that cannot be used, with what to do about it."""


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _plain(obj: Any) -> Any:
    """Plain JSON types. Floats are kept exact (JSON's shortest repr
    round-trips), because tree splits can turn on the last digits."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def checksum(body: dict) -> str:
    """SHA-256 of the canonical JSON of everything but the checksum itself."""
    return hashlib.sha256(_canonical(body).encode()).hexdigest()


def _document(fmt: str, version: int, metadata: dict, key: str, payload: dict) -> dict:
    body = _plain({"format": fmt, "format_version": version, "metadata": metadata, key: payload})
    return {**body, "sha256": checksum(body)}


def build_param_document(estimator: TinyEstimator, metadata: dict) -> dict:
    """The JSON document for a fitted estimator: format, version, metadata,
    the estimator, and a SHA-256 over all of it."""
    return _document(FORMAT, FORMAT_VERSION, metadata, "estimator", estimator.to_dict())


def layout(doc: dict) -> str:
    """Indented JSON with every array of plain values on one line: the
    structure stays readable, and the thousands of tree-node numbers take
    no line each."""
    text = json.dumps(doc, indent=1, sort_keys=True, allow_nan=False)
    return _FLAT_ARRAY.sub(lambda m: "[" + ", ".join(v.strip() for v in m.group(0)[1:-1].split(",\n")) + "]", text) + "\n"


def _write(path: str | Path, doc: dict) -> dict:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(layout(doc))
    return doc


def write_param_file(path: str | Path, estimator: TinyEstimator, metadata: dict) -> dict:
    """Write the parameter file (byte-identical for identical inputs)."""
    return _write(path, build_param_document(estimator, metadata))


def _read_checked(path: str | Path, fmt: str, version: int, refit: str) -> dict:
    """A JSON document of format `fmt`, checked for version and checksum;
    `refit` names the command that rewrites it."""
    p = Path(path)
    if not p.is_file():
        raise ParamFileError(f"parameter file {p} not found; fit one with {refit} or reinstall tinytasks")
    try:
        doc = json.loads(p.read_text())
    except json.JSONDecodeError as e:
        raise ParamFileError(f"parameter file {p} is not valid JSON ({e}); refit it with {refit}") from e
    if not isinstance(doc, dict) or doc.get("format") != fmt:
        raise ParamFileError(f"{p} is not a {fmt} file (format field "
                             f"{doc.get('format') if isinstance(doc, dict) else None!r})")
    if doc.get("format_version") != version:
        raise ParamFileError(
            f"{p} has parameter-file version {doc.get('format_version')!r}, but this tinytasks reads version "
            f"{version}; refit it with {refit} or install the tinytasks release that wrote it"
        )
    body = {k: v for k, v in doc.items() if k != "sha256"}
    if doc.get("sha256") != checksum(body):
        raise ParamFileError(f"checksum mismatch in {p}: the file was edited or corrupted; refit it with {refit}")
    return doc


def read_param_document(path: str | Path) -> dict:
    """Read and check a parameter file: format, version and checksum."""
    return _read_checked(path, FORMAT, FORMAT_VERSION, "`tinytasks fit`")


def write_joint_file(path: str | Path, joint: JointCorrection, metadata: dict) -> dict:
    """Write a joint-estimate parameter file (byte-identical for identical inputs)."""
    return _write(path, _document(JOINT_FORMAT, JOINT_FORMAT_VERSION, metadata, "joint", joint.to_dict()))


def load_joint(path: str | Path) -> tuple[JointCorrection, dict]:
    """The joint correction and the metadata of a checked joint parameter file."""
    doc = _read_checked(path, JOINT_FORMAT, JOINT_FORMAT_VERSION, "`tinytasks fit-joint`")
    return JointCorrection.from_dict(doc["joint"]), doc["metadata"]


def load_estimator(path: str | Path) -> tuple[TinyEstimator, dict]:
    """The fitted estimator and the metadata of a checked parameter file."""
    doc = read_param_document(path)
    return TinyEstimator.from_dict(doc["estimator"]), doc["metadata"]
