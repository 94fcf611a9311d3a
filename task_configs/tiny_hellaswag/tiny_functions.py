"""The functions this folder's task YAMLs name with `!function`. Older
lm-eval releases (0.4.9 among them) load `!function module.name` only from
`module.py` beside the YAML, so each folder with such a YAML holds this file."""

from tinytasks.lm_eval_tasks import *  # noqa: F401,F403
