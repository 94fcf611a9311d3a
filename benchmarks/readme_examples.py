"""The README's example outputs, made by running its commands on the two
packaged models (SmolLM2-135M-Instruct and Gemma 3 270M) on this machine's
CPU, offline. Each command's output is saved as
benchmarks/results/readme_examples/<name>.txt, with the local model folder
shown as `.../<model>`; the README quotes these files.

    python -m benchmarks.readme_examples                 # about 50 minutes on 2 cores
    python -m benchmarks.readme_examples --only verify   # one example (its runs must exist)
    python -m benchmarks.readme_examples --fill-readme   # put the saved outputs into README.md

In README.md, a line `<!-- output: NAME -->` is followed by a fenced block
that --fill-readme replaces with NAME.txt.

Runs go to --work (default /tmp/tinytasks_readme): the quickstart task on
SmolLM2 (all its items), `tiny_leaderboard_25 --limit 10` on both models
(compare, rank, average, similar), an adaptive run, a tiered smoke test, and a
benchmark of your own fitted from a slice of the shared MMLU data and run
through plain lm_eval.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tinytasks.packaged_models import default_cache_dir, ensure_hf_folder

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "readme_examples"
BIN = Path(sys.executable).parent
QUICKSTART_TASK = "tiny_mmlu"  # the task scripts/quickstart.sh runs by default
BATCH = {"smollm2-135m": "8", "gemma3-270m": "2"}  # Gemma's 262k-token vocabulary needs a small batch on 24 GB


def shown(text: str) -> str:
    """Output as the README shows it: local model folders as `.../<name>`, no trailing blanks."""
    cache = str(default_cache_dir())
    text = text.replace(cache + "/", ".../").replace(cache.replace("/", "__").replace(".", "_"), "...")
    text = text.replace(cache.replace("/", "__"), "...").replace(str(ROOT) + "/", ".../")
    return re.sub(r"[ \t]+\n", "\n", text).strip() + "\n"


def run(name: str | None, cmd: list[str], work: Path, stderr: bool = False) -> str:
    """Run a README command from `work`; save its output as `name`.txt (stdout, and stderr when asked)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    print(f"$ {' '.join(cmd)}", flush=True)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True)
    if p.returncode not in (0, 3):
        raise SystemExit(f"{cmd[0]} failed ({p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-4000:]}")
    out = (p.stderr if stderr else "") + p.stdout
    print(f"  {time.perf_counter() - t0:.0f} s", flush=True)
    if name:
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / f"{name}.txt").write_text(shown(out))
    return out


def lm_eval_table(stdout: str) -> str:
    """The results table lm-eval prints (from its header line on)."""
    lines = stdout.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("|") and "Tasks" in ln)
    return "\n".join(ln for ln in lines[start:] if ln.startswith("|")) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", default="/tmp/tinytasks_readme")
    ap.add_argument("--only", help="comma-separated example names")
    ap.add_argument("--fill-readme", action="store_true", help="only put the saved outputs into README.md")
    a = ap.parse_args()
    if a.fill_readme:
        return fill_readme(ROOT / "README.md")
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    only = set(a.only.split(",")) if a.only else None
    want = lambda name: only is None or name in only  # noqa: E731
    smol, gemma = ensure_hf_folder("smollm2-135m"), ensure_hf_folder("gemma3-270m")
    tt, lm = str(BIN / "tinytasks"), str(BIN / "lm_eval")
    model_args = {"smollm2-135m": f"pretrained={smol},dtype=float32", "gemma3-270m": f"pretrained={gemma},dtype=float32"}

    if want("quickstart"):
        shutil.rmtree(work / "out" / "quickstart", ignore_errors=True)
        out = run(None, [tt, "run", "--model", "hf", "--model_args", model_args["smollm2-135m"], "--tasks",
                         QUICKSTART_TASK, "--batch_size", "8", "--output_path", "out/quickstart", "--log_samples"],
                  work)
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "quickstart.txt").write_text(shown(lm_eval_table(out)))
    if want("verify"):
        run("verify", [tt, "verify", "out/quickstart"], work)
    if want("estimate"):
        run("estimate", [tt, "estimate", "--task", f"{QUICKSTART_TASK}_25", "--responses", "out/quickstart"], work,
            stderr=True)
    for name in ("smollm2-135m", "gemma3-270m"):
        if want(f"lineup_25_{name}"):
            shutil.rmtree(work / "out" / name, ignore_errors=True)
            out = run(None, [tt, "run", "--model", "hf", "--model_args", model_args[name], "--tasks",
                             "tiny_leaderboard_25", "--limit", "10", "--batch_size", BATCH[name], "--output_path",
                             f"out/{name}", "--log_samples"], work)
            (OUT / f"lineup_25_{name}.txt").write_text(shown(lm_eval_table(out)))
    if want("compare"):
        run("compare", [tt, "compare", "out/smollm2-135m", "out/gemma3-270m"], work)
    if want("rank"):
        run("rank", [tt, "rank", "out/smollm2-135m", "out/gemma3-270m"], work)
    if want("average"):
        run("average", [tt, "average", "out/smollm2-135m"], work)
    if want("similar"):
        run("similar", [tt, "similar", "out/smollm2-135m"], work)
    if want("adaptive"):
        run("adaptive", [tt, "adaptive", "--model", "hf", "--model_args", model_args["smollm2-135m"], "--tasks",
                         "tiny_mmlu_pool", "--max-items", "20", "--items-per-round", "5", "--batch_size", "5",
                         "--output_path", "out/adaptive"], work)
    if want("tiered"):
        shutil.rmtree(work / "tiered_cache", ignore_errors=True)
        out = run(None, [tt, "tiered", "--models", model_args["smollm2-135m"], model_args["gemma3-270m"],
                         "--tiers", "tiny_winogrande_25", "tiny_winogrande", "tiny_winogrande_pool", "--limit", "3",
                         "--batch_size", "2", "--cache-dir", "tiered_cache"], work)
        (OUT / "tiered.txt").write_text(shown(out[out.index("2 models ranked"):]))  # without the progress lines
    if want("own_benchmark"):
        own_benchmark(work, tt, lm, model_args["smollm2-135m"])
    if want("task_table"):
        run("task_table", [sys.executable, "-m", "benchmarks.task_table"], ROOT)
    if want("checkpoints"):
        out = run(None, [sys.executable, "-m", "benchmarks.checkpoint_series"], ROOT)
        (OUT / "checkpoints.txt").write_text(shown(out[out.index("| task | Spearman"):]))
    if want("peers_summary"):
        (OUT / "peers_summary.txt").write_text(peers_summary())
    return 0


def peers_summary() -> str:
    """MAE at 100 items per benchmark from benchmarks/results/peers.json (run benchmarks.peers first)."""
    res = json.loads((ROOT / "benchmarks" / "results" / "peers.json").read_text())
    # tinyBenchmarks' rows are named by their anchor count (97-100 per benchmark)
    # K: the benchmark's largest budget (100, or the whole pool where it is smaller)
    # tinyBenchmarks' estimators with the linear map: as rebuilt here their raw estimates are accuracies on the
    # pool plus their anchors, not the full benchmark (peers.py says why), so only the mapped ones are comparable
    cols = [("tinytasks K", "tinytasks"), ("tinyBenchmarks *: pirt_linear", "tinyBenchmarks p-IRT"),
            ("tinyBenchmarks *: gpirt_linear", "tinyBenchmarks gp-IRT"),
            ("metabench-like K", "metabench-like"), ("random K: ridge", "random pool items, ridge")]
    lines = ["| benchmark (items) | " + " | ".join(label for _, label in cols) + " |",
             "|" + " --- |" * (len(cols) + 1)]
    for bench, r in sorted(res.items()):
        if not isinstance(r, dict) or "methods" not in r:
            continue
        m = r["methods"]
        k = r.get("budgets", [100])[-1]
        cells = []
        for pattern, _ in cols:
            (key,) = [name for name in m if fnmatch.fnmatchcase(name, pattern.replace("K", str(k)))]
            cells.append(f"{m[key]['mae']:.2f}" + (f" ({100 * m[key]['coverage']:.0f}%)" if "coverage" in m[key] else ""))
        lines.append(f"| {bench} ({k}) | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# the marker, the fence's first line, the block's lines (maybe none), the closing fence
MARKER = re.compile(r"(<!-- output: ([\w-]+) -->\n```[a-z]*\n)((?:(?!```).*\n)*?)(```)")


def fill_readme(path: Path) -> int:
    """Replace the block after each `<!-- output: NAME -->` with NAME.txt."""
    text = path.read_text()
    missing = []

    def block(m: re.Match) -> str:
        f = OUT / f"{m.group(2)}.txt"
        if not f.is_file():
            missing.append(m.group(2))
            return m.group(0)
        return m.group(1) + shown(f.read_text()) + m.group(4)

    path.write_text(MARKER.sub(block, text))
    if missing:
        print(f"no saved output for {missing}: run those examples first", file=sys.stderr)
        return 1
    return 0


def own_benchmark(work: Path, tt: str, lm: str, model_args: str) -> None:
    """A benchmark of your own: 400 models x 80 items of the shared MMLU data stand in for it."""
    import numpy as np
    import pandas as pd

    from maintainer.shared_data import item_table, load_source

    d = work / "own"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    data = load_source("mmlu")
    items = item_table("mmlu").iloc[:80]
    cols = [data.items.index(i) for i in items["item"]]
    rows = np.arange(400)
    pd.DataFrame(data.responses[np.ix_(rows, cols)], columns=list(items["item"]),
                 index=pd.Index([data.models[r] for r in rows], name="model")).to_csv(d / "responses.csv")
    pd.DataFrame({"model": [data.models[r] for r in rows], "score": data.scores[rows]}).to_csv(d / "scores.csv",
                                                                                            index=False)
    items.assign(doc=[json.dumps(x) for x in items["doc"]])[["item", "key", "match_text", "fewshot_prefix", "doc"]
                                                          ].to_csv(d / "items.csv", index=False)
    (d / "prompt.yaml").write_text(
        'doc_to_text: "{{fewshot_prefix}}{{question.strip()}}\\nA. {{choices[0]}}\\nB. {{choices[1]}}\\n'
        'C. {{choices[2]}}\\nD. {{choices[3]}}\\nAnswer:"\ndoc_to_choice: ["A", "B", "C", "D"]\n')
    run("own_benchmark_fit", [tt, "fit", "--responses", "responses.csv", "--scores", "scores.csv", "--items",
                              "items.csv", "--prompt", "prompt.yaml", "--task", "tiny_myeval", "--budget", "20",
                              "--chance", "0.25,25", "--report-budgets", "20", "--out", "my_tasks/tiny_myeval/params.json"],
        d)
    out = run(None, [lm, "--include_path", "my_tasks/tiny_myeval", "--tasks", "tiny_myeval", "--model", "hf",
                     "--model_args", model_args, "--batch_size", "8", "--device", "cpu"], d)
    (OUT / "own_benchmark_run.txt").write_text(shown(lm_eval_table(out)))


if __name__ == "__main__":
    raise SystemExit(main())
