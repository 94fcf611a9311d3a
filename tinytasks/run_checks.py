"""How a run of a generation task differs from the leaderboard's, read from
its lm-eval results file: generations cut shorter than the leaderboard's
(responses cut short fail instructions they would have followed), and a
chat model run without its chat template (the leaderboard applied it).
The estimate is still computed; these are warnings beside it."""

from __future__ import annotations

import re

from .benchmark_specs import SPECS
from .registry import BENCHMARK_OF_TASK


def pretrained_of(model_args) -> str | None:
    """The `pretrained=` model of a run's model arguments (string or dict)."""
    if isinstance(model_args, dict):
        return model_args.get("pretrained")
    m = re.search(r"(?:^|,)\s*pretrained=([^,]+)", str(model_args or ""))
    return m.group(1).strip() if m else None


def has_chat_template(pretrained: str) -> bool | None:
    """Whether the model's tokenizer has a chat template (None: cannot tell,
    e.g. the model is not on this machine)."""
    try:
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(pretrained, local_files_only=True)
    except Exception:  # noqa: BLE001 - any failure to load means we cannot tell
        return None
    return bool(getattr(tok, "chat_template", None))


def generation_warnings(task: str, config: dict, run: dict) -> list[str]:
    """Warnings for `task` (a shipped task) of the results file `run`, whose
    dumped task config is `config`."""
    bench = BENCHMARK_OF_TASK.get(task)
    want = dict(SPECS[bench].generation) if bench else {}
    if not want:
        return []
    out = []
    got = config.get("generation_kwargs") or {}
    limit = got.get("max_gen_toks")
    if limit is not None and int(limit) < int(want["max_gen_toks"]):
        out.append(f"generations were cut at {limit} tokens, the leaderboard's at {want['max_gen_toks']}: responses "
                   "cut short fail instructions they would have followed, so the estimate is of a run unlike the "
                   "calibration models'")
    if not run.get("chat_template"):
        model = pretrained_of((run.get("config") or {}).get("model_args"))
        chat = has_chat_template(model) if model else None
        if chat:
            out.append(f"run without --apply_chat_template, but {model} has a chat template, which the leaderboard "
                       "applied: the estimate is of a run unlike the calibration models'")
    return out
