"""Run every task generator named in params.yaml over every video and place the answers."""
from __future__ import annotations

import gc
import random
from collections import Counter

from fragmentforge import plugins
from fragmentforge.tasks import levels
from fragmentforge.tasks.record import SPLITS, place_answers
from fragmentforge.tasks.registry import TaskEnv, active_generators


def generate_records(contexts: list, params, screen=None) -> list[dict]:
    """All QA records, ordered by task (by name), split, video, generation order. `screen(task,
    split, items)`, when given, filters the drafts of reviewed levels before letters are placed."""
    # Generation allocates many small objects and frees none: the cyclic collector would only
    # rescan them (about a fifth of the time), so it is paused here.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _generate(contexts, params, screen)
    finally:
        if paused:
            gc.enable()


def _generate(contexts: list, params, screen) -> list[dict]:
    label_pool = sorted({c.template for c in contexts if c.template})
    records = []
    for generator in active_generators(params):
        by_split = {split: [] for split in SPLITS}
        for ctx in contexts:
            rng = random.Random(f"{params.seed}:{generator.name}:{ctx.video_id}")
            for draft in generator.module.generate(ctx, TaskEnv(params, generator.options, rng, label_pool)):
                by_split[ctx.split].append((ctx.video_id, draft))
        reviewed = screen is not None and getattr(plugins.load(levels, generator.level), "REVIEWED", False)
        for split in SPLITS:
            media = params.scene_media if generator.level == "scene" else "frames"
            items = screen(generator.name, split, by_split[split]) if reviewed else by_split[split]
            records.extend(place_answers(generator.name, generator.level, split, items, params.seed,
                                          params.answer_format, media))
    return records


def summarize(records: list[dict]) -> dict:
    counts = Counter((r["task"], r["split"]) for r in records)
    letters = Counter((r["task"], r["answer"]) for r in records)
    per_task = Counter(r["task"] for r in records)
    return {
        "records": len(records),
        "videos": {split: len({r["video_id"] for r in records if r["split"] == split}) for split in SPLITS},
        "per_task_split": {f"{t}/{s}": n for (t, s), n in sorted(counts.items())},
        "letter_share": {t: {letter: round(letters[(t, letter)] / per_task[t], 4)
                             for (task, letter) in sorted(letters) if task == t} for t in sorted(per_task)},
    }
