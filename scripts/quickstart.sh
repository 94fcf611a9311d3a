#!/usr/bin/env bash
# Install, then run tiny_winogrande (100 anchors, leaderboard 5-shot format) on
# the real packaged SmolLM2-135M through lm-eval, offline, with the benchmark
# files of ../shared/data/benchmarks. Prints lm-eval's results table with the
# estimated full Winogrande score and its 95% interval.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1
export TINYTASKS_DATA_DIR="${TINYTASKS_DATA_DIR:-$(cd .. && pwd)/shared/data/benchmarks}"
MODEL=$(.venv/bin/tinytasks packaged-model smollm2-135m)
.venv/bin/tinytasks run --model hf --model_args "pretrained=$MODEL,dtype=float32" \
    --tasks "${TASKS:-tiny_winogrande}" --batch_size 8 --output_path out/quickstart "$@"
