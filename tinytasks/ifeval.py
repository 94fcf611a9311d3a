"""IFEval's per-prompt verdicts for the tiny IFEval tasks: lm-eval's own
verifier of its `leaderboard_ifeval` task (prompt-level strict accuracy is
what the calibration data records), run offline.

lm-eval's IFEval code fetches NLTK's `punkt_tab` sentence model when it is
imported and cannot find it, and its sentence and word counts use it.
tinytasks ships the English model (tinytasks/nltk_data, see
DATA_LICENSES.md) and puts it on NLTK's data path before that import, so
nothing is downloaded at run time.
"""

from __future__ import annotations

import functools
from pathlib import Path

NLTK_DATA = Path(__file__).resolve().parent / "nltk_data"
FULL_GENERATION = 1280  # the leaderboard's max_gen_toks for IFEval


@functools.cache
def leaderboard_verifier():
    """lm-eval's `leaderboard_ifeval` scoring module, imported with the
    shipped NLTK data on the path."""
    import nltk

    if str(NLTK_DATA) not in nltk.data.path:
        nltk.data.path.insert(0, str(NLTK_DATA))
    from lm_eval.tasks.leaderboard.ifeval import utils

    return utils


def verdicts(doc: dict, response: str) -> tuple[bool, list[bool]]:
    """(prompt-level strict verdict, instruction-level strict verdicts) of
    one response, as lm-eval's leaderboard task scores it."""
    out = leaderboard_verifier().process_results(doc, [response])
    return bool(out["prompt_level_strict_acc"]), [bool(v) for v in out["inst_level_strict_acc"]]


def instruction_accuracy(items) -> float:
    """Share of the instructions followed (strict), over every asked prompt's
    instructions: lm-eval's inst_level_strict_acc."""
    flat = [v for per_prompt in items for v in per_prompt]
    return sum(flat) / len(flat) if flat else float("nan")
