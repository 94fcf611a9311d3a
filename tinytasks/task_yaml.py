"""The `metadata` block of a tiny task's YAML: lm-eval copies it into the
results JSON, so it is where a run records which parameter file it used."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tinytasks.estimators.param_file import FORMAT_VERSION

TASK_VERSION = 1.0
_METADATA = re.compile(r"^metadata:\n(?:[ \t]+.*\n?)*", re.MULTILINE)


class _TaskYamlLoader(yaml.SafeLoader):
    """Reads lm-eval's `!function module.name` tags as their text."""


_TaskYamlLoader.add_constructor("!function", lambda loader, node: loader.construct_scalar(node))


def yaml_field(path: Path, field: str):
    """`field` of the lm-eval YAML at `path`, or of the YAML it includes
    (a task variant, or a group, takes what it does not set from the one it includes)."""
    doc = yaml.load(path.read_text(), Loader=_TaskYamlLoader)
    while field not in doc and "include" in doc:
        path = path.parent / doc["include"]
        doc = yaml.load(path.read_text(), Loader=_TaskYamlLoader)
    if field not in doc:
        raise KeyError(f"{path} (and what it includes) has no {field!r}")
    return doc[field]


def resolved_yaml(path: Path) -> dict:
    """The lm-eval YAML at `path` with what it includes merged under its own fields."""
    doc = yaml.load(path.read_text(), Loader=_TaskYamlLoader)
    if "include" in doc:
        doc = {**resolved_yaml(path.parent / doc.pop("include")), **doc}
    return doc


def metadata_block(params_sha256: str) -> str:
    return (f"metadata:\n  version: {TASK_VERSION}\n  params_format_version: {FORMAT_VERSION}\n"
            f"  params_sha256: {params_sha256}\n")


def record_params_hash(yaml_path: Path, params_sha256: str) -> bool:
    """Write (or replace) the metadata block of the task YAML at `yaml_path`
    so it names the parameter file by its SHA-256. False if there is no YAML."""
    if not yaml_path.is_file():
        return False
    text = yaml_path.read_text()
    block = metadata_block(params_sha256)
    if _METADATA.search(text):
        text = _METADATA.sub(block, text, count=1)
    else:
        text = text.rstrip("\n") + "\n" + block
    yaml_path.write_text(text)
    return True
