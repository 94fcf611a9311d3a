"""The `tinytasks` commands, one module each: HELP, add_arguments(parser)
and run(args) -> exit code; WRITES_PARAMETERS marks the fit commands, whose
output must not depend on the CPU."""

from __future__ import annotations

from types import ModuleType

from . import (
               adaptive,
               average,
               checkpoints,
               compare,
               estimate,
               fit,
               fit_joint,
               fit_shared,
               pack_answers,
               packaged_model,
               path,
               rank,
               rescore,
               similar,
               tiered,
               verify,
)

COMMANDS: dict[str, ModuleType] = {
    "fit": fit, "fit-shared": fit_shared, "fit-joint": fit_joint, "pack-answers": pack_answers,
    "estimate": estimate, "verify": verify, "rescore": rescore, "compare": compare, "average": average, "rank": rank,
    "similar": similar, "checkpoints": checkpoints, "tiered": tiered, "adaptive": adaptive,
    "packaged-model": packaged_model, "path": path,
}
