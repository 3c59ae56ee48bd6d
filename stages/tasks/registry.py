"""Task generators are the modules of `stages.tasks.generators`, found by import.

Each module defines TASK (its name in params.yaml), LEVEL (fragment | scene) and
`generate(ctx, env)`, which yields Drafts for one video.
"""
from __future__ import annotations

import importlib
import pkgutil
import random
from dataclasses import dataclass
from functools import lru_cache

from stages.tasks import generators


@dataclass(slots=True)
class TaskEnv:
    params: object  # TasksParams
    spec: object  # TaskSpec of this task
    rng: random.Random  # seeded per (task, video)
    label_pool: list  # every action class (template) known, for distractors

    def fragment_sets(self, ctx) -> list:
        """Keyframe sets the fragment tasks use: the test-mode set for the benchmark, the
        jittered train-mode sets (and the test-mode one) for training."""
        modes = ("test",) if ctx.split == "test" else tuple(self.params.train_modes)
        return ctx.sets_of(self.params.fragment_variant, modes)

    def scene_set(self, ctx, variant: str = "normal", mode: str = "test"):
        """The set scene-level questions show: N = scene_frames where it exists, else the largest."""
        candidates = ctx.sets_of(variant, (mode,))
        if not candidates:
            return None
        exact = [s for s in candidates if s.n == self.params.scene_frames]
        return exact[0] if exact else max(candidates, key=lambda s: s.n)


@lru_cache(maxsize=1)
def discover() -> dict:
    found = {}
    for info in pkgutil.iter_modules(generators.__path__):
        module = importlib.import_module(f"{generators.__name__}.{info.name}")
        missing = [name for name in ("TASK", "LEVEL", "generate") if not hasattr(module, name)]
        if missing:
            raise TypeError(f"task module {module.__name__} lacks {', '.join(missing)}")
        if module.TASK in found:
            raise TypeError(f"task {module.TASK!r} is defined twice")
        found[module.TASK] = module
    return found
