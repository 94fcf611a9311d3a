#!/usr/bin/env bash
# The lm-eval-facing tests again with the oldest lm-eval tinytasks supports
# (LM_EVAL_OLDEST in tinytasks/lm_eval_support.py), in ./.venv-lm-eval-oldest:
# CPU torch, lm-eval 0.4.9 (which needs transformers 4), this checkout
# (editable): the fast tests marked lm_eval, and the slow one that builds the
# wheel, installs it into a fresh environment beside this lm-eval and runs
# plain `lm_eval` on a tiny task from outside the checkout (the real-model
# workflows run once, with the newest lm-eval, in the main tests). Run by
# .ci/run after the main tests.
set -euo pipefail
cd "$(dirname "$0")/.."
OLDEST=0.4.9
if [ ! -x .venv-lm-eval-oldest/bin/python ]; then
    python3 -m venv .venv-lm-eval-oldest
fi
PY=.venv-lm-eval-oldest/bin/python
$PY -m pip install -q torch==2.13.0
$PY -m pip install -q -c scripts/constraints.txt "lm-eval[hf]==$OLDEST" "transformers<5" -e ".[test]"
$PY -c "import lm_eval, importlib.metadata as m; assert m.version('lm_eval') == '$OLDEST', m.version('lm_eval')"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1
$PY -m pytest -q -rs -m "lm_eval and not slow" "$@"
$PY -m pytest -q -rs "tests/test_packaging.py::test_a_regular_install_runs_the_cli_and_plain_lm_eval_runs_a_tiny_task"
