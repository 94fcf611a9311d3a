"""tiny_ifeval: lm-eval's IFEval verifier, offline, feeding the estimate;
warnings for runs unlike the leaderboard's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tinytasks import lm_eval_tasks as lt
from tinytasks.registry import BENCHMARK_OF_TASK, GROUPS
from tinytasks.scoring import task_anchors

pytestmark = pytest.mark.lm_eval


def _doc(task="tiny_ifeval"):
    a = task_anchors(task)[0]
    return {**a["doc"], "key": a["key"], "tiny_task": task, "fewshot_prefix": ""}


def test_ifeval_tasks_ship_outside_the_v1_lineups():
    assert BENCHMARK_OF_TASK["tiny_ifeval"] == BENCHMARK_OF_TASK["tiny_ifeval_25"] == "ifeval"
    assert not any("ifeval" in t for members in GROUPS.values() for t in members)
    docs = lt.load_tiny_dataset("tiny_ifeval")["test"]
    assert len(docs) == 100 and all(p and isinstance(p, str) for p in docs["prompt"])


def test_the_verifier_runs_offline_and_its_verdict_is_the_keyed_result(monkeypatch):
    import nltk

    monkeypatch.setattr(nltk, "download", lambda *a, **k: pytest.fail("NLTK tried to download"))
    from tinytasks.ifeval import leaderboard_verifier, verdicts

    utils = leaderboard_verifier()
    doc = {"key": 1, "prompt": "Answer in lowercase letters only, in two sentences.", "tiny_task": "tiny_ifeval",
           "instruction_id_list": ["change_case:english_lowercase", "length_constraints:number_sentences"],
           "kwargs": [{}, {"relation": "less than", "num_sentences": 3}]}
    for response, ok in (("all in lowercase. two sentences here.", True), ("Not Lowercase. Three. Sentences.", False)):
        expected = utils.process_results(doc, [response])
        assert verdicts(doc, response) == (expected["prompt_level_strict_acc"], expected["inst_level_strict_acc"])
        out = lt.process_ifeval({**doc, "key": "ifeval:x"}, [response])
        assert out["tiny_acc"] == float(ok) and out["est_score"] == ("tiny_ifeval", "ifeval:x", float(ok))
        assert out["inst_level_strict_acc"] == expected["inst_level_strict_acc"]
    assert lt.aggregate_instruction_accuracy([[True, False], [True]]) == pytest.approx(2 / 3)


def test_a_run_cut_short_or_without_the_chat_template_is_warned_about():
    from tinytasks.run_checks import generation_warnings, pretrained_of

    full = {"generation_kwargs": {"max_gen_toks": 1280}}
    assert generation_warnings("tiny_ifeval", full, {"chat_template": "x"}) == []
    short = generation_warnings("tiny_ifeval", {"generation_kwargs": {"max_gen_toks": 64}}, {"chat_template": "x"})
    assert len(short) == 1 and "cut at 64 tokens" in short[0]
    assert generation_warnings("tiny_mmlu", {"generation_kwargs": {"max_gen_toks": 1}}, {}) == []
    assert pretrained_of("pretrained=/m/x,dtype=float32") == "/m/x" and pretrained_of({"pretrained": "y"}) == "y"


def test_a_chat_model_run_without_its_template_is_warned_about(smollm2):
    from tinytasks.run_checks import generation_warnings

    model = smollm2
    run = {"chat_template": None, "config": {"model_args": f"pretrained={model},dtype=float32"}}
    (w,) = generation_warnings("tiny_ifeval", {"generation_kwargs": {"max_gen_toks": 1280}}, run)
    assert "without --apply_chat_template" in w


@pytest.mark.slow
def test_a_packaged_chat_model_runs_tiny_ifeval_through_its_chat_template(tmp_path, smollm2):
    """Three prompts, generations cut at 160 tokens (the leaderboard's 1,280
    take minutes per prompt on a CPU): the verifier's verdicts on the logged
    responses are the estimate's answers, and verify warns about the cut."""
    from tinytasks.ifeval import verdicts
    from tinytasks.results_files import read_samples, task_answers
    from tinytasks.scoring import estimate_task

    model = smollm2
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, "-m", "tinytasks.cli", "run", "--model", "hf", "--model_args",
                           f"pretrained={model},dtype=float32", "--tasks", "tiny_ifeval", "--limit", "3",
                           "--apply_chat_template", "--gen_kwargs", "max_gen_toks=160", "--batch_size", "3",
                           "--device", "cpu", "--output_path",
                           str(tmp_path), "--log_samples"], env=env, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (results,) = tmp_path.rglob("results_*.json")
    doc = json.loads(results.read_text())
    assert doc.get("chat_template"), "the run did not apply the chat template"
    got = doc["results"]["tiny_ifeval"]
    (samples_path,) = tmp_path.rglob("samples_tiny_ifeval_*.jsonl")
    samples = read_samples(samples_path)
    assert len(samples) == 3
    for s in samples:  # the logged verdict is the verifier's on the logged response
        assert s["tiny_acc"] == float(verdicts(s["doc"], s["resps"][0][0])[0])
    est = estimate_task("tiny_ifeval", task_answers(samples, "tiny_ifeval"))
    assert got["n_answered,none"] == 3 and got["est_score,none"] == pytest.approx(est.score, abs=1e-9)
    assert 0.0 <= got["inst_level_strict_acc,none"] <= 1.0
    from tinytasks.verify import verify_results

    _, _, checks = verify_results(results)
    cut = [c for c in checks if c.name == "generation"]
    assert cut and cut[0].status == "warning" and "cut at 160 tokens" in cut[0].detail
    assert {c.status for c in checks if c.name == "estimate from samples"} == {"pass"}
