"""An ablation table as data: its arms (each a set of params.yaml overrides, as `dvc exp run -S`
takes them), what it measures, and the paper's figure to set beside ours."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

TABLES = Path(__file__).with_name("tables")
METRICS = ("accuracy", "description_f1")


class AblationError(ValueError):
    """A table file that cannot be run; the message names the file and the key."""


@dataclass(frozen=True)
class Arm:
    name: str
    label: str
    overrides: dict  # dotted params key -> value
    variant: str | None = None  # the model this arm measures, where not the table's


@dataclass(frozen=True)
class Ablation:
    name: str
    title: str
    paper: str  # the paper's figure, for the shape to compare against
    metric: str  # accuracy: of `tasks`' questions; description_f1: AutoDQ F1 of descriptions
    variant: str  # the model each arm measures
    tasks: tuple[str, ...]
    reference: str  # the arm every other arm is compared with, paired by video
    arms: tuple[Arm, ...]
    waiting_for: str | None = None  # a feature this table needs that has not landed

    def experiment(self, arm: Arm) -> str:
        """The DVC experiment's name (a git ref component: letters, digits, - and _). Arms with
        the same overrides share one experiment (the first one's), measuring different variants."""
        first = next(a for a in self.arms if a.overrides == arm.overrides)
        return f"{self.name}-{first.name}"

    def experiments(self) -> list[str]:
        return list(dict.fromkeys(self.experiment(arm) for arm in self.arms))

    def variant_of(self, arm: Arm) -> str:
        return arm.variant or self.variant


def set_args(arm: Arm) -> list[str]:
    """`-S key=value` arguments in Hydra's override grammar (strings quoted, lists in brackets)."""
    def value(v):
        if isinstance(v, (list, tuple)):
            return "[" + ",".join(value(x) for x in v) + "]"
        if isinstance(v, str):
            return "'" + v.replace("'", "\\'") + "'"
        return json.dumps(v)  # numbers, true/false, null

    return [arg for key, v in arm.overrides.items() for arg in ("-S", f"{key}={value(v)}")]


def load(path: Path) -> Ablation:
    where = path.name
    try:
        raw = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise AblationError(f"{where}: cannot read: {exc}") from exc
    if not isinstance(raw, dict):
        raise AblationError(f"{where}: expected a mapping")
    missing = [k for k in ("title", "paper", "metric", "variant", "reference", "arms") if k not in raw]
    if missing:
        raise AblationError(f"{where}: missing {', '.join(missing)}")
    if raw["metric"] not in METRICS:
        raise AblationError(f"{where}: metric must be one of {METRICS}")
    arms = []
    for i, arm in enumerate(raw["arms"] or []):
        if not isinstance(arm, dict) or not isinstance(arm.get("name"), str) or not isinstance(arm.get("set"), dict):
            raise AblationError(f"{where}: arms[{i}] needs a name and a `set` mapping")
        if not arm["name"].replace("_", "").isalnum():
            raise AblationError(f"{where}: arms[{i}]: name {arm['name']!r}: letters, digits and _ only")
        unknown = sorted(set(arm) - {"name", "label", "set", "variant"})
        if unknown:  # e.g. an unquoted comma in a label of a flow mapping
            raise AblationError(f"{where}: arms[{i}] ({arm['name']}): unknown keys {', '.join(map(repr, unknown))}")
        arms.append(Arm(arm["name"], arm.get("label", arm["name"]), dict(arm["set"]), arm.get("variant")))
    names = [a.name for a in arms]
    if len(arms) < 2 or len(set(names)) != len(names):
        raise AblationError(f"{where}: at least two arms, with distinct names")
    if raw["reference"] not in names:
        raise AblationError(f"{where}: reference {raw['reference']!r} is not an arm")
    if raw["metric"] == "accuracy" and not raw.get("tasks"):
        raise AblationError(f"{where}: an accuracy table names its tasks")
    return Ablation(path.stem, raw["title"], raw["paper"].strip(), raw["metric"], raw["variant"],
                    tuple(raw.get("tasks") or ()), raw["reference"], tuple(arms), raw.get("waiting_for"))


def all_ablations(folder: Path = TABLES) -> list[Ablation]:
    return [load(p) for p in sorted(folder.glob("*.yaml"))]


def by_name(names: list[str], folder: Path = TABLES) -> list[Ablation]:
    known = {a.name: a for a in all_ablations(folder)}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise AblationError(f"no ablation named {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return [known[n] for n in names] if names else list(known.values())
