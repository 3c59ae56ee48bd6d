"""Task generators are the modules of fragmentforge.tasks.generators, named by their files.

A generator module declares everything about its task, and nothing else lists it:
  LEVEL, COLUMN, ORDER  its column group (a module of fragmentforge.tasks.levels), its report
                        column label and its place among that group's columns
  DESCRIPTION           one line for Dagster and the report
  Options               optional: a frozen dataclass extending TaskOptions with its own typed
                        options (default TaskOptions); params.yaml's tasks.generators.<name>
                        overrides them
  generate(ctx, env)    yields Drafts for one video
  check(record, media)  optional: the answer re-derived from the record alone, for the gate
                        (True, False, or None where it does not apply); CHECK_DESCRIPTION says what
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Optional
from types import ModuleType

from fragmentforge import plugins
from fragmentforge.config.loader import plugin_options
from fragmentforge.config.schema import check_default
from fragmentforge.tasks import generators, levels


@dataclass(frozen=True)
class TaskOptions:
    """Options every generator has."""

    enabled: bool = True
    # questions per keyframe set (fragment tasks) or per video / variant (scene tasks)
    per_unit: int = check_default(1, lambda v: 1 <= v <= 100, "must be in [1, 100]")
    # the gate's fewest records per split for this task (null: tasks.min_per_task_train / _test)
    min_train: Optional[int] = check_default(None, lambda v: v is None or v >= 0, "must be >= 0, or null")
    min_test: Optional[int] = check_default(None, lambda v: v is None or v >= 0, "must be >= 0, or null")


@dataclass(frozen=True)
class Generator:
    name: str
    module: ModuleType
    options: TaskOptions

    @property
    def level(self) -> str:
        return self.module.LEVEL


def generator_names() -> list[str]:
    return plugins.names(generators)


def load_generator(name: str) -> ModuleType:
    module = plugins.load(generators, name)
    known = plugins.names(levels)
    if module.LEVEL not in known:
        raise plugins.PluginError(f"task generator {name!r}: LEVEL {module.LEVEL!r} is not a level "
                                  f"(stages/fragmentforge/tasks/levels: {', '.join(known)})")
    return module


def options_of(params, name: str, module: ModuleType) -> TaskOptions:
    """The generator's typed options: its defaults, overridden by tasks.generators.<name>."""
    raw = params.generators.get(name) or plugin_options({}, "<defaults>", f"tasks.generators.{name}")
    return raw.build_with(getattr(module, "Options", TaskOptions))


def active_generators(params) -> list[Generator]:
    """Every enabled generator, by name. A broken one raises here, naming itself."""
    out = []
    for name in generator_names():
        module = load_generator(name)
        options = options_of(params, name, module)
        if options.enabled:
            out.append(Generator(name, module, options))
    if not out:
        raise ValueError("every task generator is disabled (tasks.generators.<task>.enabled): nothing to generate")
    return out


def column_layout() -> list[tuple[ModuleType, list[tuple[str, str]]]]:
    """The report's columns: (level module, [(column label, task)]) per level, in order."""
    modules = {name: load_generator(name) for name in generator_names()}
    groups = []
    for level_name, level in sorted(plugins.load_all(levels).items(), key=lambda kv: (kv[1].ORDER, kv[0])):
        tasks = sorted((m for m in modules.items() if m[1].LEVEL == level_name),
                       key=lambda kv: (getattr(kv[1], "ORDER", 100), kv[0]))
        groups.append((level, [(m.COLUMN, name) for name, m in tasks]))
    return groups


@dataclass(slots=True)
class TaskEnv:
    params: object  # TasksParams
    options: TaskOptions  # this generator's typed options
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


def generators_or_errors() -> dict[str, ModuleType | plugins.PluginError]:
    return plugins.load_each(generators, load_generator)


def describe_generators() -> dict[str, str]:
    """name -> description, for Dagster; a generator that fails to import says why instead."""
    return {name: f"BROKEN: {m}" if isinstance(m, plugins.PluginError) else m.DESCRIPTION
            for name, m in generators_or_errors().items()}
