"""A benchmark of your own, end to end: `tinytasks fit --prompt` on a small
response matrix writes a task folder that plain `lm_eval --include_path`
runs on a real model, and the estimate comes from that folder's parameters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tinytasks.cli import main

pytestmark = pytest.mark.lm_eval

PROMPT = """\
doc_to_text: "{{fewshot_prefix}}{{question.strip()}}\\nA. {{choices[0]}}\\nB. {{choices[1]}}\\nC. {{choices[2]}}\\nD. {{choices[3]}}\\nAnswer:"
doc_to_choice: ["A", "B", "C", "D"]
"""


def _own_benchmark(shared_data, folder: Path) -> tuple[Path, Path, Path]:
    """300 calibration models x 60 MMLU items of the shared data as if they were a benchmark of your own:
    responses, their scores, and the items (key, text, few-shot prefix, document)."""
    from maintainer.shared_data import item_table, load_source

    data = load_source("mmlu", shared_data)
    items = item_table("mmlu", shared_data).iloc[:60]
    cols = [data.items.index(i) for i in items["item"]]
    rows = np.arange(300)
    pd.DataFrame(data.responses[np.ix_(rows, cols)], columns=list(items["item"]),
                 index=pd.Index([data.models[r] for r in rows], name="model")).to_csv(folder / "responses.csv")
    pd.DataFrame({"model": [data.models[r] for r in rows], "score": data.scores[rows]}).to_csv(
        folder / "scores.csv", index=False)
    table = items.assign(doc=[json.dumps(d) for d in items["doc"]])
    table[["item", "key", "match_text", "fewshot_prefix", "doc"]].to_csv(folder / "items.csv", index=False)
    return folder / "responses.csv", folder / "scores.csv", folder / "items.csv"


def test_a_prompt_without_documents_or_with_other_fields_is_refused(tmp_path, capfd):
    (tmp_path / "r.csv").write_text("model,a\nm1,1\n")
    (tmp_path / "s.csv").write_text("model,score\nm1,50\n")
    (tmp_path / "p.yaml").write_text("doc_to_text: x\ndoc_to_choice: [a]\nnum_fewshot: 5\n")
    base = ["fit", "--responses", str(tmp_path / "r.csv"), "--scores", str(tmp_path / "s.csv"), "--task", "tiny_x",
            "--out", str(tmp_path / "t" / "params.json"), "--prompt", str(tmp_path / "p.yaml")]
    assert main(base) == 2
    assert "['num_fewshot'] are not prompt fields" in capfd.readouterr().err
    (tmp_path / "p.yaml").write_text(PROMPT)
    assert main(base) == 2
    assert "give --items with a 'doc' column" in capfd.readouterr().err


@pytest.mark.slow
def test_fit_writes_a_task_folder_that_plain_lm_eval_runs_on_a_real_model(shared_data, tmp_path, smollm2):
    from tinytasks.results_files import read_samples, task_answers
    from tinytasks.scoring import estimate_task

    model = smollm2
    responses, scores, items = _own_benchmark(shared_data, tmp_path)
    (tmp_path / "prompt.yaml").write_text(PROMPT)
    folder = tmp_path / "tiny_myeval"
    assert main(["fit", "--responses", str(responses), "--scores", str(scores), "--items", str(items),
                 "--prompt", str(tmp_path / "prompt.yaml"), "--task", "tiny_myeval", "--budget", "10", "--dims", "1",
                 "--report-budgets", "none", "--chance", "0.25,25", "--out", str(folder / "params.json")]) == 0
    assert {"tiny_myeval.yaml", "tiny_myeval_items.py", "params.json", "items.json.gz"} <= {
        p.name for p in folder.iterdir()}
    moved = tmp_path / "elsewhere" / "tasks"  # the folder runs wherever it is
    moved.parent.mkdir()
    folder.rename(moved)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    lm_eval = Path(sys.executable).with_name("lm_eval")
    proc = subprocess.run([str(lm_eval), "--include_path", str(moved), "--tasks", "tiny_myeval", "--model", "hf",
                           "--model_args", f"pretrained={model},dtype=float32", "--limit", "3", "--batch_size", "4",
                           "--device", "cpu", "--output_path", str(tmp_path / "out"), "--log_samples"],
                          cwd=tmp_path / "elsewhere", env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "tiny_myeval" in proc.stdout and "est_score" in proc.stdout
    (results,) = (tmp_path / "out").rglob("results_*.json")
    got = json.loads(results.read_text())["results"]["tiny_myeval"]
    (samples,) = (tmp_path / "out").rglob("samples_tiny_myeval_*.jsonl")
    params = str((moved / "params.json").resolve())
    est = estimate_task(params, task_answers(read_samples(samples), params))
    assert got["n_answered,none"] == 3 == est.n_answered
    assert got["est_score,none"] == pytest.approx(est.score, abs=1e-9)
    assert got["est_lower,none"] == pytest.approx(est.lower, abs=1e-9)
