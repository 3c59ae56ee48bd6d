"""Which models a base model has: Base (no adapter), then each training variant in params order
whose adapter is trained. The evaluator, the results loader, DVC's metrics and the report all
ask here, so a variant removed from params.yaml drops out of all of them at once."""
from __future__ import annotations

import json
from pathlib import Path

from fragmentforge.layout import RUN, TRAINING_RECORD, layout

BASE = "base"  # the base model without an adapter


def trained(params, root: Path, base: str) -> list[tuple[str, Path | None]]:
    """[(variant, adapter folder or None)]: Base first, then the trained variants."""
    out = [(BASE, None)]
    for variant in params.training.variants:
        adapter = layout(params, root).adapter(base, variant.name)
        if (adapter / TRAINING_RECORD).is_file():
            out.append((variant.name, adapter))
    return out


def start_priority(params, root: Path) -> dict[str, int]:
    """Per variant, the estimated cost of its costliest chain of descendants, itself included:
    with trainings side by side, the start of a long chain (sft before sft+sf2t) goes first.
    A training's cost is its datasets' exported kilobytes times its epochs (at least one
    kilobyte each, before the export exists); a fusion trains nothing."""
    variants, folder = params.training.variants, layout(params, root).llamafactory
    sizes = {name: (folder / f"{name}.json").stat().st_size // 1024
             for v in variants for name in v.datasets if (folder / f"{name}.json").is_file()}
    own = {v.name: 0 if v.fuse else (v.epochs or params.training.epochs) * max(sum(sizes.get(d, 0) for d in v.datasets), 1)
           for v in variants}
    children = {v.name: [c.name for c in variants if v.name in (c.parent, c.fuse)] for v in variants}
    memo: dict[str, float] = {}

    def chain(name: str) -> float:
        if name not in memo:
            memo[name] = own[name] + max((chain(c) for c in children[name]), default=0)
        return memo[name]

    return {v.name: round(chain(v.name)) for v in variants}


def training_records(params, root: Path, base: str) -> list[tuple[str, dict, list[dict]]]:
    """(variant, its training.json, its logged steps) for every trained variant of `base`."""
    from fragmentforge.training.runner import TRAINER_LOG, read_log

    return [(variant, json.loads((adapter / TRAINING_RECORD).read_text()), read_log(adapter / TRAINER_LOG))
            for variant, adapter in trained(params, root, base) if adapter is not None]


def adapter_hash(adapter: Path | None) -> str | None:
    return json.loads((adapter / TRAINING_RECORD).read_text())["adapter_hash"] if adapter else None


def evaluation_runs(params, root: Path, base: str) -> list[dict]:
    """The run.json of every current model of `base` that has been evaluated."""
    runs = []
    for variant, _ in trained(params, root, base):
        path = layout(params, root).evaluation(base, variant) / RUN
        if path.is_file():
            runs.append(json.loads(path.read_text()))
    return runs


def mean_task_accuracy(metrics: list[dict]) -> float | None:
    """The mean over tasks of each task's accuracy (rows with n = None)."""
    overall = [m["accuracy"] for m in metrics if m["n"] is None]
    return sum(overall) / len(overall) if overall else None
