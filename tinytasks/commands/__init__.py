"""The `tinytasks` commands, one module each: HELP, add_arguments(parser)
and run(args) -> exit code; WRITES_PARAMETERS marks `fit`, whose output
must not depend on the CPU. The maintainers' commands (refitting the
shipped files from ../shared/data) are `python -m maintainer`, outside the
installed package."""

from __future__ import annotations

from types import ModuleType

from . import (
               adaptive,
               average,
               checkpoints,
               compare,
               estimate,
               fit,
               packaged_model,
               path,
               rank,
               rescore,
               similar,
               tiered,
               verify,
)

COMMANDS: dict[str, ModuleType] = {
    "fit": fit,
    "estimate": estimate, "verify": verify, "rescore": rescore, "compare": compare, "average": average, "rank": rank,
    "similar": similar, "checkpoints": checkpoints, "tiered": tiered, "adaptive": adaptive,
    "packaged-model": packaged_model, "path": path,
}
