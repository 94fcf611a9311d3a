"""Calibration data from several response files of one benchmark, and the
item table that maps pool items to text and few-shot prompts."""

import numpy as np
import pandas as pd
import pytest

from tinytasks.estimators.tables import load_calibration_data


def _write(path, rows: dict, items: list[str]):
    pd.DataFrame.from_dict(rows, orient="index", columns=items).rename_axis("model").reset_index().to_csv(
        path, index=False)
    return path


def test_several_pools_merge_over_the_models_in_all_of_them(tmp_path):
    a = _write(tmp_path / "a.csv", {"m1": [1, 0], "m2": [0, 0], "m3": [1, 1]}, ["i1", "i2"])
    b = _write(tmp_path / "b.csv", {"m3": [1, 0], "m1": [0, 1], "m4": [1, 1]}, ["i2", "i3"])
    scores = tmp_path / "s.csv"
    pd.DataFrame({"model": [f"m{i}" for i in range(1, 5)], "score": [10.0, 20, 30, 40]}).to_csv(scores, index=False)
    with pytest.raises(ValueError, match="at least 10"):  # only m1 and m3 are in both files
        load_calibration_data([a, b], scores)
    rows = {f"m{i}": [i % 2, (i // 2) % 2] for i in range(12)}
    a = _write(tmp_path / "a.csv", rows, ["i1", "i2"])
    b = _write(tmp_path / "b.csv", {m: [v[1], 1] for m, v in list(rows.items())[1:]}, ["i2", "i3"])
    pd.DataFrame({"model": list(rows), "score": np.arange(12.0)}).to_csv(scores, index=False)
    data = load_calibration_data([a, b], scores)
    assert data.items == ["i1", "i2", "i3"]
    assert data.models == [f"m{i}" for i in range(1, 12)]
    assert np.array_equal(data.responses[:, 2], np.ones(11))
    assert data.source_sha256 != load_calibration_data(a, scores).source_sha256
    _write(tmp_path / "b.csv", {m: [1 - v[1], 1] for m, v in rows.items()}, ["i2", "i3"])
    with pytest.raises(ValueError, match="disagrees .* same evaluation runs"):
        load_calibration_data([a, b], scores)


def test_arc_and_gsm8k_merge_both_metabench_pools_without_losing_models_at_either_end(shared_data):
    from tinytasks.estimators.tables import load_calibration_data
    from tinytasks.benchmark_specs import SPECS
    from maintainer.shared_data import item_table, load_source

    for bench, n_items in (("arc", 145 + 100), ("gsm8k", 237 + 249)):
        merged = load_source(bench, shared_data)
        table = item_table(bench, shared_data)
        assert len(merged.items) == len(table) == n_items  # every item has text and its exact prompt
        assert table["key"].is_unique and not np.isnan(merged.responses).any() and (table["prefix_from"] == "").all()
        src = SPECS[bench].calibration
        first = load_calibration_data(shared_data / src.responses[0], shared_data / src.scores)
        assert len(merged.models) > 0.85 * len(first.models)
        assert abs(merged.scores.min() - first.scores.min()) < 1 and abs(merged.scores.max() - first.scores.max()) < 1
    assert (item_table("gsm8k", shared_data)["fewshot_prefix"].str.count("Question:") == 5).all()


def test_every_hellaswag_item_with_text_gets_a_ten_shot_prefix_its_own_where_known(shared_data):
    from maintainer.shared_data import item_table

    table = item_table("hellaswag", shared_data)
    # metabench's 58, ATLAS's 5 with metabench's prompt, 91 mapped to rows of the benchmark file
    assert len(table) == 154 and (table["prefix_from"] != "").sum() == 91
    assert (table["fewshot_prefix"].str.count("\n\n") == 10).all()
    own = table[table["prefix_from"] == ""].set_index("key")["fewshot_prefix"]
    borrowed = table[table["prefix_from"] != ""]
    assert borrowed["prefix_from"].isin(own.index).all()
    assert (borrowed["fewshot_prefix"].to_numpy() == own.loc[borrowed["prefix_from"]].to_numpy()).all()


def test_a_row_map_outside_the_benchmark_file_is_refused_with_the_file_and_item(shared_data, tmp_path):
    from maintainer.shared_data import item_table

    root = tmp_path / "data"  # shared/data by links, with one row map edited
    (root / "responses/atlas/tiny_item_rows").mkdir(parents=True)
    (root / "benchmarks").symlink_to(shared_data / "benchmarks")
    (root / "responses/metabench").symlink_to(shared_data / "responses/metabench")
    for f in (shared_data / "responses/atlas").glob("*.csv"):
        (root / "responses/atlas" / f.name).symlink_to(f)
    rows = root / "responses/atlas/tiny_item_rows/hellaswag.csv"
    table = pd.read_csv(shared_data / "responses/atlas/tiny_item_rows/hellaswag.csv")
    table.loc[3, "row"] = 10**6
    table.to_csv(rows, index=False)
    with pytest.raises(ValueError, match=rf"hellaswag.csv: row 1000000 of item {table.loc[3, 'item']} is outside"):
        item_table("hellaswag", root)


def test_a_supplement_adds_items_for_the_models_it_covers_and_keeps_every_model(tmp_path):
    rows = {f"m{i}": [i % 2, (i // 2) % 2] for i in range(12)}
    a = _write(tmp_path / "a.csv", rows, ["i1", "i2"])
    covered = {m: [v[1], 1, 0] for m, v in list(rows.items())[:5]} | {"only_here": [1, 1, 1]}
    sup = _write(tmp_path / "sup.csv", covered, ["i2", "i3", "no_text"])
    scores = tmp_path / "s.csv"
    pd.DataFrame({"model": [*rows, "only_here"], "score": np.arange(13.0)}).to_csv(scores, index=False)
    data = load_calibration_data(a, scores, supplements=[sup], supplement_items={"i3"})
    assert data.models == list(rows) and data.items == ["i1", "i2", "i3"]
    assert np.array_equal(data.responses[:5, 2], np.ones(5)) and np.isnan(data.responses[5:, 2]).all()
    assert not np.isnan(data.responses[:, :2]).any()
    assert data.source_sha256 != load_calibration_data(a, scores).source_sha256
    _write(tmp_path / "sup.csv", {m: [1 - v[0], 1, 0] for m, v in covered.items()}, ["i2", "i3", "no_text"])
    with pytest.raises(ValueError, match="disagrees .* same evaluation runs"):
        load_calibration_data(a, scores, supplements=[sup])


@pytest.mark.parametrize("bench, atlas_file, n_main, n_added, lost", [
    ("winogrande", "response_matrix_tinywinogrande.csv", 106, 8, "weak"),
    ("truthfulqa", "response_matrix_tinytruthfulqa.csv", 136, 21, "strong"),
])
def test_atlas_pools_supplement_without_losing_models_at_either_end(bench, atlas_file, n_main, n_added, lost,
                                                                     shared_data):
    """The ATLAS TruthfulQA and Winogrande matrices lack models at one end
    (weak Winogrande models, the strongest TruthfulQA ones), so merged over
    the models in both files the calibration would no longer reach them.
    As supplements they add their items with text and keep every model."""
    from tinytasks.estimators.tables import load_calibration_data
    from tinytasks.benchmark_specs import SPECS
    from maintainer.shared_data import item_table, load_source

    src = SPECS[bench].calibration
    assert src.supplements == (f"responses/atlas/{atlas_file}",)
    first = load_calibration_data(shared_data / src.responses[0], shared_data / src.scores)
    inner = load_calibration_data([shared_data / src.responses[0], shared_data / src.supplements[0]],
                                  shared_data / src.scores)
    if lost == "weak":
        assert first.scores.min() < 50 and inner.scores.min() > 65
    else:
        assert first.scores.max() == 100 and inner.scores.max() < 75
    data = load_source(bench, shared_data)
    assert data.models == first.models and data.items[:n_main] == first.items
    assert len(data.items) == n_main + n_added == len(item_table(bench, shared_data))
    missing = np.isnan(data.responses)
    assert not missing[:, :n_main].any()
    in_atlas = np.isin(data.models, inner.models)
    assert not missing[in_atlas].any() and missing[~in_atlas, n_main:].all()
