"""Every anchor is asked exactly as the leaderboard asked it when the
calibration data was recorded: same prompt text, same choices, same gold."""

import pandas as pd
import pytest

from tinytasks.registry import task_name

pytestmark = pytest.mark.lm_eval

# Benchmarks with metabench's recorded prompts (HellaSwag's come from ATLAS,
# which has none). Winogrande's partial scoring puts the item in the choices:
# its recorded prompt is the context of the gold option.
WITH_PROMPTS = ("arc", "gsm8k", "mmlu", "truthfulqa", "winogrande")


def _leaderboard_items(bench: str, shared_data) -> dict:
    """item id -> (prompt, metabench item row)."""
    from tinytasks.benchmark_specs import SPECS

    src = SPECS[bench].calibration
    prompts = {}
    for path in src.prompts:
        p = pd.read_csv(shared_data / path)
        prompts.update(zip(p["item"].astype(str).str.removeprefix(f"{bench}."), p["prompt"]))
    out = {}
    for path in src.items_parquets:
        for r in pd.read_parquet(shared_data / path).to_dict("records"):
            item = str(r[src.id_column])
            long_prompt = next((r[c] for c in r if c.endswith("_longprompt")), None)
            out.setdefault(item, (prompts.get(item, long_prompt), r))
    return out


@pytest.fixture(scope="module")
def task_dict(shared_data):
    from lm_eval.tasks import get_task_dict

    from tinytasks.lm_eval_support import task_manager

    mp = pytest.MonkeyPatch()
    tm = task_manager()
    yield get_task_dict([task_name(b) for b in WITH_PROMPTS], tm)
    mp.undo()


@pytest.mark.parametrize("bench", WITH_PROMPTS)
def test_anchor_prompts_choices_and_gold_are_the_leaderboards(bench, task_dict, shared_data):
    from tinytasks.scoring import load_task_params

    task = task_dict[task_name(bench)]
    _, meta, _ = load_task_params(task_name(bench))
    item_of_key = {a["key"]: a["item"] for a in meta["anchors"]}
    recorded = _leaderboard_items(bench, shared_data)
    docs = list(task.test_docs())
    assert len(docs) == len(meta["anchors"])
    for doc in docs:
        prompt, row = recorded[item_of_key[doc["key"]]]
        if bench == "winogrande":
            assert (doc["option1"], doc["option2"], str(doc["answer"])) == (
                row["option1"], row["option2"], str(row["answer"])), doc["key"]
            asked = task.doc_to_choice(doc)[task.doc_to_text(doc)]
        else:
            asked = task.doc_to_text(doc)
        assert asked == prompt, f"{doc['key']}: prompt differs from the leaderboard's"
        if bench == "mmlu":
            assert list(doc["choices"]) == list(row["choices"]) and doc["answer"] == row["answer"], doc["key"]
        elif bench == "arc":
            assert list(doc["choices"]["text"]) == list(row["choices"]["text"]), doc["key"]
            gold = list(row["choices"]["label"]).index(row["answerKey"])  # labels are A-D or 1-4
            assert list(doc["choices"]["label"]).index(doc["answerKey"]) == gold, doc["key"]
