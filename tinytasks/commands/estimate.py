"""`tinytasks estimate`: estimates from per-item results you already have."""

from __future__ import annotations

import argparse
import sys

HELP = ("estimates from per-item results you already have (a models x items CSV), with a tiny task's "
        "parameters; with --scores, their error")


def add_arguments(p: argparse.ArgumentParser) -> None:
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--task", help="a shipped tiny task, e.g. tiny_mmlu")
    who.add_argument("--params", help="a parameter file of your own (from tinytasks fit)")
    p.add_argument("--responses", nargs="+", required=True,
                   help="CSV(s): a 'model' column, then one 0/1/empty column per item, named by anchor key or by "
                        "the calibration data's item id; or lm-eval output written with --log_samples (a "
                        "samples_*.jsonl, a results_*.json or its folder), of a tiny task or of lm-eval's own task "
                        "of the benchmark; several are joined by model")
    p.add_argument("--scores", help="CSV of the models' real full scores: adds the error and interval coverage")
    p.add_argument("--score-column", default="score")
    p.add_argument("--model-column", default="model")
    p.add_argument("--out", help="CSV to write (default: print it)")


def estimate_benchmark(a: argparse.Namespace) -> str | None:
    """The benchmark of the task or parameter file, if tinytasks knows it."""
    from tinytasks.estimators import read_param_document

    from ..benchmark_specs import SPECS
    from ..registry import BENCHMARK_OF_TASK

    bench = BENCHMARK_OF_TASK.get(a.task) if a.task else read_param_document(a.params)["metadata"].get("benchmark")
    return bench if bench in SPECS else None


def samples_table(path: str, benchmark: str | None, task: str | None = None):
    """One model's row from lm-eval output written with --log_samples
    (`benchmark`, or None, keys lm-eval's own tasks' items). A run of a
    generation task unlike the leaderboard's is warned about."""
    import pandas as pd

    from ..registry import BENCHMARK_OF_TASK
    from ..results_files import read_results, samples_results
    from ..run_checks import generation_warnings

    model, keyed = samples_results(path, benchmark)
    if task in BENCHMARK_OF_TASK and not path.endswith(".jsonl"):
        results_path, doc = read_results(path)
        for ran, config in doc.get("configs", {}).items():  # the run's tasks of this benchmark, tiny or lm-eval's
            if BENCHMARK_OF_TASK.get(ran, benchmark) == benchmark:
                for w in generation_warnings(task, config, doc):
                    print(f"warning: {results_path}: {ran}: {w}", file=sys.stderr)
    return pd.DataFrame([keyed], index=pd.Index([model], name="model"))


def run(a: argparse.Namespace) -> int:
    from tinytasks.estimators.tables import (
        join_response_tables,
        read_responses_csv,
        read_scores_csv,
    )
    from tinytasks.estimators.metrics import score_metrics

    from ..scoring import estimate_table

    bench = None if all(p.endswith(".csv") for p in a.responses) else estimate_benchmark(a)
    tables = [read_responses_csv(p) if p.endswith(".csv") else samples_table(p, bench, a.task) for p in a.responses]
    table = join_response_tables(tables, a.responses)
    out = estimate_table(table, task=a.task, params_file=a.params)
    if a.scores:
        truth = read_scores_csv(a.scores, a.score_column, a.model_column).reindex(out.index)
        out.insert(0, "score", truth)
        have = out["score"].notna() & out["est_score"].notna()
        if not have.any():
            raise ValueError(f"{a.scores}: no model with an estimate has a score there")
        r = out[have]
        m = score_metrics(*(r[c].to_numpy(float) for c in ("est_score", "score", "est_lower", "est_upper")))
        print(f"{int(have.sum())} models with a score: MAE {m['mae']:.3f}, RMSE {m['rmse']:.3f}, mean error "
              f"{(r['est_score'] - r['score']).mean():+.3f}, Spearman {m['spearman']:.4f}, 95% interval covers "
              f"{100 * m['coverage']:.1f}% (mean width {m['mean_interval_width']:.2f}); "
              f"extrapolated {100 * r['extrapolated'].mean():.1f}%, misfit {100 * r['misfit'].mean():.1f}%",
              file=sys.stderr)
    out.index.name = "model"
    if a.out:
        out.to_csv(a.out)
        print(f"{len(out)} models' estimates written to {a.out}", file=sys.stderr)
    else:
        out.to_csv(sys.stdout)
    return 0
