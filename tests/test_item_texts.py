"""The shipped item files: prefixes stored as shared shots, and which items borrow another's prefix."""

import gzip
import json

import pytest

from tinytasks.item_texts import ItemTextError, entries_digest, read_item_texts, write_item_texts

OWN = {"match_text": "q1", "fewshot_prefix": "shot a\n\nshot b\n\n", "doc": {"question": "q1"}}
BORROWING = {"match_text": "q2", "fewshot_prefix": "shot a\n\nshot b\n\n", "doc": {"question": "q2"},
             "prefix_from": "bench:1"}


def test_an_item_file_gives_back_each_prefix_and_who_lent_it(tmp_path):
    path = tmp_path / "bench.json.gz"
    write_item_texts(path, "bench", {"bench:1": OWN, "bench:2": BORROWING}, {"source": "s", "licence": "l"})
    texts = read_item_texts(path)
    assert texts == {"bench:1": OWN, "bench:2": BORROWING}
    stored = json.loads(gzip.decompress(path.read_bytes()))
    assert stored["shots"] == ["shot a", "shot b", ""]  # the two prefixes share their shots
    assert "prefix_from" not in stored["items"]["bench:1"] and stored["items"]["bench:2"]["prefix_from"] == "bench:1"
    # the digest a parameter file records covers who lent the prefix
    assert entries_digest({"bench:2": BORROWING}) != entries_digest({"bench:2": OWN | {"match_text": "q2",
                                                                                       "doc": {"question": "q2"}}})


def test_an_item_stored_with_another_prefix_source_is_refused(tmp_path):
    path = tmp_path / "bench.json.gz"
    write_item_texts(path, "bench", {"bench:2": BORROWING}, {"source": "s", "licence": "l"})
    with pytest.raises(ItemTextError, match="bench:2 is stored with another text, document or prefix"):
        write_item_texts(path, "bench", {"bench:2": BORROWING | {"prefix_from": "bench:3"}})
