import json

import numpy as np
import pytest
import yaml

from tinytasks.estimators import read_param_document
from tinytasks.estimators.param_file import FORMAT_VERSION
from tinytasks.registry import BENCHMARK_OF_TASK, TASK_CONFIG_DIR
from tinytasks.scoring import load_task_params

PARAM_FILES = [TASK_CONFIG_DIR / task / "params.json" for task in sorted(BENCHMARK_OF_TASK)]


def test_every_parameter_folder_is_a_task_or_a_lineups_joint_estimate():
    from tinytasks.registry import GROUPS

    known = set(BENCHMARK_OF_TASK) | {f"{g}_joint" for g in GROUPS}
    folders = {p.parent.name for p in TASK_CONFIG_DIR.glob("*/params.json")}
    assert folders == known, f"unexpected: {sorted(folders - known)}; missing: {sorted(known - folders)}"


def test_every_tiny_task_ships_parameters_and_a_report():
    for task in BENCHMARK_OF_TASK:
        assert (TASK_CONFIG_DIR / task / "params.json").is_file(), f"{task} has no parameter file"
        assert (TASK_CONFIG_DIR / task / "report.md").is_file(), f"{task} has no report"


@pytest.mark.parametrize("path", PARAM_FILES, ids=lambda p: p.parent.name)
def test_shipped_file_is_checked_and_reproduces_pinned_estimates(path):
    doc = read_param_document(path)
    assert doc["format_version"] == FORMAT_VERSION
    meta = doc["metadata"]
    assert meta["task"] == path.parent.name
    assert meta["source"]["licence"]
    keys = [a["key"] for a in meta["anchors"]]
    assert len(set(keys)) == len(keys) and all(k.startswith(meta["benchmark"] + ":") for k in keys)
    est, _, sha = load_task_params(meta["task"])
    task_yaml = yaml.safe_load((path.parent / f"{meta['task']}.yaml").read_text().replace("!function", ""))
    assert task_yaml["metadata"]["params_sha256"] == sha, "task YAML names another parameter file: refit"
    assert task_yaml["metadata"]["params_format_version"] == FORMAT_VERSION
    report = json.loads((path.parent / "report.json").read_text())
    for ex in report["pinned_examples"]:
        row = np.array([np.nan if v is None else v for v in ex["anchor_responses"]], dtype=float)
        res = est.predict(row[None])
        np.testing.assert_allclose([res.score[0], res.lower[0], res.upper[0]],
                                   [ex["score"], ex["lower"], ex["upper"]], atol=1e-9)


def test_a_fixed_task_loads_no_adaptive_maps_and_adaptive_runs_get_them():
    est, _, sha = load_task_params("tiny_arc_pool")
    assert est.adaptive_ is None
    with_maps, _, sha_adaptive = load_task_params("tiny_arc_pool", adaptive=True)
    assert with_maps.adaptive_ is not None and sha_adaptive == sha
