"""A task folder for a benchmark of your own, written by `tinytasks fit
--prompt`: beside the parameter file and its items, an lm-eval task YAML
(your prompt, the tiny tasks' metrics) and a small module that binds the
task's dataset to the parameter file in the same folder, so the folder
runs with `lm_eval --include_path FOLDER --tasks NAME` wherever it is moved.

Your prompt YAML gives the fields that decide the prompt (`output_type`,
`doc_to_text`, `doc_to_choice`, `doc_to_target`, ...; documents are your
items' `doc` objects, each with its `fewshot_prefix`). The scorer is
multiple-choice accuracy against the document's `answer` (the index of the
right choice), as the shipped MMLU task scores.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .registry import TASK_CONFIG_DIR
from .task_yaml import metadata_block

PROMPT_FIELDS = ("output_type", "doc_to_text", "doc_to_choice", "doc_to_target", "target_delimiter",
                 "fewshot_delimiter", "description")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class TaskFolderError(ValueError):
    """A prompt YAML or task name that cannot make a task folder."""


def read_prompt(path: str | Path) -> dict:
    """The prompt fields of a YAML file, checked."""
    p = Path(path)
    if not p.is_file():
        raise TaskFolderError(f"prompt file {p} not found")
    try:
        doc = yaml.safe_load(p.read_text())
    except yaml.YAMLError as e:
        raise TaskFolderError(f"{p} is not YAML ({e})") from e
    if not isinstance(doc, dict):
        raise TaskFolderError(f"{p}: expected a mapping of lm-eval task fields")
    unknown = sorted(set(doc) - set(PROMPT_FIELDS))
    if unknown:
        raise TaskFolderError(f"{p}: {unknown} are not prompt fields; give only {', '.join(PROMPT_FIELDS)}")
    if doc.get("output_type", "multiple_choice") != "multiple_choice":
        raise TaskFolderError(f"{p}: output_type {doc['output_type']!r}: task folders score multiple choice "
                              "(log-likelihood of each choice, accuracy against the document's `answer`)")
    missing = [f for f in ("doc_to_text", "doc_to_choice") if f not in doc]
    if missing:
        raise TaskFolderError(f"{p}: missing {missing}")
    return {"output_type": "multiple_choice", "doc_to_target": "answer", **doc}


def write_task_folder(task: str, params_file: Path, prompt: dict, params_sha256: str) -> list[Path]:
    """Write `<task>.yaml` and `<task>_items.py` beside `params_file`."""
    if not NAME.match(task):
        raise TaskFolderError(f"task name {task!r}: use letters, digits and underscores (it names a Python module)")
    folder = params_file.parent
    module = folder / f"{task}_items.py"
    module.write_text(
        f'"""The items of the tiny task {task}, bound to the parameter file beside this\n'
        'module (written by `tinytasks fit`)."""\n\n'
        "from pathlib import Path\n\n"
        "from tinytasks.lm_eval_tasks import *  # noqa: F401,F403 (what the YAML names)\n"
        "from tinytasks.lm_eval_tasks import load_tiny_dataset\n\n"
        f'PARAMS = str(Path(__file__).resolve().with_name("{params_file.name}"))\n\n\n'
        "def load(**_ignored):\n"
        "    return load_tiny_dataset(task=PARAMS)\n")
    template = (TASK_CONFIG_DIR / "_tiny_template").read_text()
    template = template.replace("!function tiny_functions.load_tiny_dataset", f"!function {task}_items.load")
    template = template.replace("!function tiny_functions.", f"!function {task}_items.")
    body = yaml.safe_dump(prompt, sort_keys=False, allow_unicode=True, width=1000)
    text = (f"# The tiny task {task}, written by `tinytasks fit`: run it with\n"
            f"#   lm_eval --include_path {folder.name} --tasks {task} ...\n"
            f"task: {task}\n{template}\n{body}"
            f"process_results: !function {task}_items.process_acc\n"
            + metadata_block(params_sha256))
    path = folder / f"{task}.yaml"
    path.write_text(text)
    return [path, module]
