#!/usr/bin/env bash
# Install, then run tiny_winogrande (leaderboard 5-shot format) on the real
# packaged SmolLM2-135M through lm-eval, and print lm-eval's results table with
# the estimated full Winogrande score and its 95% interval. The benchmark items
# come from $TINYTASKS_DATA_DIR, else from ../shared/data/benchmarks when it is
# there (then offline), else from the Hugging Face hub.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
SHARED_BENCHMARKS="$(cd .. && pwd)/shared/data/benchmarks"
if [ -z "${TINYTASKS_DATA_DIR:-}" ] && [ -d "$SHARED_BENCHMARKS" ]; then
    export TINYTASKS_DATA_DIR="$SHARED_BENCHMARKS"
fi
if [ -n "${TINYTASKS_DATA_DIR:-}" ]; then
    export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1
fi
MODEL=$(.venv/bin/tinytasks packaged-model smollm2-135m)
.venv/bin/tinytasks run --model hf --model_args "pretrained=$MODEL,dtype=float32" \
    --tasks "${TASKS:-tiny_winogrande}" --batch_size 8 --output_path out/quickstart "$@"
