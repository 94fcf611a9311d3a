"""`tinytasks estimate`: shipped parameters applied to per-item results a
user already has (a models x items CSV), on real leaderboard rows."""

import io
import json
import logging

import numpy as np
import pandas as pd
import pytest

from tinytasks.estimators.tables import join_response_tables
from tinytasks.cli import main
from tinytasks.scoring import TABLE_COLUMNS, estimate_table, load_task_params


@pytest.fixture(scope="module")
def mmlu_rows(mmlu_data):
    """30 models' answers to the MMLU pool, columns named as in the shared data."""
    return pd.DataFrame(mmlu_data.responses[:30], index=pd.Index(mmlu_data.models[:30], name="model"),
                        columns=mmlu_data.items)


def test_columns_by_item_id_or_by_key_give_the_estimator_s_own_estimates(mmlu_rows):
    est, meta, _ = load_task_params("tiny_mmlu_pool")
    ids = [a["item"] for a in meta["anchors"]]
    direct = est.predict(mmlu_rows[ids].to_numpy(float))
    by_id = estimate_table(mmlu_rows, task="tiny_mmlu_pool")
    by_key = estimate_table(mmlu_rows[ids].set_axis([a["key"] for a in meta["anchors"]], axis=1), task="tiny_mmlu_pool")
    assert list(by_id.columns) == list(TABLE_COLUMNS)
    np.testing.assert_allclose(by_id["est_score"], direct.score, atol=1e-9)
    np.testing.assert_allclose(by_id["est_lower"], direct.lower, atol=1e-9)
    pd.testing.assert_frame_equal(by_id, by_key)
    assert (by_id["n_answered"] == len(ids)).all()


def test_other_columns_missing_answers_and_empty_rows_are_reported_not_dropped(mmlu_rows, caplog):
    table = mmlu_rows.copy()
    table["not_an_anchor"] = 1.0
    table.iloc[0, :] = np.nan
    table.iloc[1, 50:] = np.nan
    with caplog.at_level(logging.WARNING, logger="tinytasks"):
        out = estimate_table(table, task="tiny_mmlu_pool")
    assert "1 of 103 columns are not anchors" in caplog.text
    assert "1 model(s) answered none of the anchors" in caplog.text
    assert len(out) == 30 and out.index[0] == table.index[0]
    assert np.isnan(out["est_score"].iloc[0]) and out["n_answered"].iloc[0] == 0
    assert out["n_answered"].iloc[1] == 50
    full = out.iloc[2:]
    assert (out["est_upper"] - out["est_lower"]).iloc[1] > (full["est_upper"] - full["est_lower"]).median()


def test_bad_tables_get_errors_that_say_what_to_do(mmlu_rows):
    with pytest.raises(ValueError, match="no column of the table names one of its 102 anchors"):
        estimate_table(mmlu_rows.set_axis([f"q{i}" for i in range(mmlu_rows.shape[1])], axis=1), task="tiny_mmlu_pool")
    _, meta, _ = load_task_params("tiny_mmlu_pool")
    twice = mmlu_rows.assign(**{meta["anchors"][0]["key"]: mmlu_rows[meta["anchors"][0]["item"]]})
    with pytest.raises(ValueError, match="two columns name the same anchor"):
        estimate_table(twice, task="tiny_mmlu_pool")
    with pytest.raises(ValueError, match="unknown tiny task"):
        estimate_table(mmlu_rows, task="tiny_nonsense")
    with pytest.raises(ValueError, match="only 0, 1 or NaN"):
        estimate_table(mmlu_rows.replace(1.0, 2.0), task="tiny_mmlu_pool")


def test_tables_of_two_pools_are_joined_by_model_and_must_agree():
    a = pd.DataFrame({"x": [1.0, 0.0], "y": [1.0, 1.0]}, index=["m1", "m2"])
    b = pd.DataFrame({"y": [1.0, 0.0], "z": [0.0, 1.0]}, index=["m2", "m3"])
    joined = join_response_tables([a, b], ["a", "b"])
    assert list(joined.index) == ["m1", "m2", "m3"] and list(joined.columns) == ["x", "y", "z"]
    assert joined.loc["m3", "z"] == 1.0 and np.isnan(joined.loc["m3", "x"]) and np.isnan(joined.loc["m1", "z"])
    with pytest.raises(ValueError, match="b disagrees with a on 1 answers"):
        join_response_tables([a, b.assign(y=[0.0, 0.0])], ["a", "b"])


def test_the_command_joins_files_scores_them_and_writes_a_csv(mmlu_rows, mmlu_data, tmp_path, capsys):
    left, right = mmlu_rows.iloc[:, :60], mmlu_rows.iloc[5:, 60:]  # the first 5 models only in the left file
    left.to_csv(tmp_path / "a.csv")
    right.to_csv(tmp_path / "b.csv")
    pd.DataFrame({"model": mmlu_data.models[:30], "score": mmlu_data.scores[:30]}).to_csv(tmp_path / "s.csv",
                                                                                           index=False)
    assert main(["estimate", "--task", "tiny_mmlu_pool", "--responses", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"),
                 "--scores", str(tmp_path / "s.csv"), "--out", str(tmp_path / "e.csv")]) == 0
    assert "30 models with a score: MAE" in capsys.readouterr().err
    out = pd.read_csv(tmp_path / "e.csv", index_col="model")
    whole = estimate_table(mmlu_rows, task="tiny_mmlu_pool")
    np.testing.assert_allclose(out["est_score"].iloc[5:], whole["est_score"].iloc[5:], atol=1e-9)
    assert (out["n_answered"].iloc[:5] == 60).all()
    np.testing.assert_allclose(out["score"], mmlu_data.scores[:30])
    assert main(["estimate", "--task", "tiny_mmlu_pool", "--responses", str(tmp_path / "missing.csv")]) == 2
    assert "not found" in capsys.readouterr().err


def test_estimate_reads_lm_eval_samples_and_names_bad_files(tmp_path, capfd, caplog):
    from tinytasks.cli import main
    from tinytasks.scoring import anchor_keys, estimate_task

    task = "tiny_winogrande_25"
    keys = anchor_keys(task)[:6]
    values = [1.0, 0.0, 1.0, 1.0, 0.0, 0.0]
    run = tmp_path / "run" / "my__model"
    run.mkdir(parents=True)
    (run / "results_2026-01-01T00-00-00.json").write_text(
        json.dumps({"results": {task: {}}, "config": {"model_args": {"pretrained": "my/model"}}}))
    (run / f"samples_{task}_2026-01-01T00-00-00.jsonl").write_text("\n".join(
        json.dumps({"doc_id": i, "doc": {"key": k, "tiny_task": task}, "tiny_acc": v, "est_score": [task, k, v]})
        for i, (k, v) in enumerate(zip(keys, values))))
    with caplog.at_level(logging.WARNING, logger="tinytasks"):
        assert main(["estimate", "--task", task, "--responses", str(tmp_path / "run")]) == 0
    out = pd.read_csv(io.StringIO(capfd.readouterr().out), index_col="model")
    assert list(out.index) == ["pretrained=my/model"]
    assert out["est_score"].iloc[0] == pytest.approx(estimate_task(task, dict(zip(keys, values))).score)
    assert "19 of 25 anchors have no column" in caplog.text

    bad = tmp_path / "bad.csv"
    bad.write_text(f"model,{keys[0]}\nm1,yes\n")
    assert main(["estimate", "--task", task, "--responses", str(bad)]) == 2
    assert f"bad.csv, row 2 (model 'm1'), column '{keys[0]}': 'yes' is not a result" in capfd.readouterr().err
    assert main(["estimate", "--task", task, "--responses", str(tmp_path / "run" / "my__model" / "x.txt")]) == 2
    assert "expected a responses CSV, an lm-eval samples_*.jsonl" in capfd.readouterr().err
