"""Single-frame grounding data for pretraining the embedded base: what is in one picture.

The frames come from the base's own pool of synthetic clips (its own seed, never a benchmark
video). Every question is about one frame alone: which colours, shapes, positions, sizes and
how many shapes it shows, plus a short caption. Nothing here asks about time, so no proxy
task or scene task (frame counts, order, speed, actions, effects) is taught by it.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fragmentforge.synthetic.actions import ACTIONS
from fragmentforge.synthetic.shapes import COLOURS, SHAPES
from fragmentforge.synthetic.world import clip_rng, synthesize_clip

# Its own prompt wording, not the benchmark's (tasks/record.py): a base model's pretraining does
# not know the benchmark, and a benchmark prompt edit must not rebuild the base.
LETTERS = "ABCDEFGH"
INSTRUCTIONS = {"letter": "Reply with the letter of the right option.", "text": "Reply with the right option."}
TAGS = {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant"}
MOSTLY_VISIBLE, BARELY_VISIBLE = 0.6, 0.02
ROWS, COLUMNS = ("top", "middle", "bottom"), ("left", "centre", "right")
REGION_MARGIN = 0.05  # centres this close to a region's border get no position question
SIZES = (("small", 0.0, 0.085), ("medium", 0.095, 0.13), ("large", 0.145, 1.0))
KINDS = ("colour", "shape", "position", "size", "presence", "count", "caption")


@dataclass(frozen=True)
class Sample:
    kind: str
    image: str  # relative to the pool's folder
    question: str
    options: tuple[str, ...]  # empty for captions (free text)
    answer: str  # the correct option's text, or the caption

    def entry(self, letter: str | None, answer_format: str = "letter") -> dict:
        """A sharegpt row; `letter` is where the correct option goes (None for captions). The
        reply is that letter, or under the text format the option's own words."""
        if not self.options:
            prompt, reply = "<image>" + self.question, self.answer
        else:
            options = [o for o in self.options if o != self.answer]
            options.insert(LETTERS.index(letter), self.answer)
            lines = [f"<image>{self.question}"] + [f"{LETTERS[i]}. {o}" for i, o in enumerate(options)]
            prompt = "\n".join(lines + [INSTRUCTIONS[answer_format]])
            reply = letter if answer_format == "letter" else self.answer
        return {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": reply}],
                "images": [self.image], "kind": self.kind}


def region(cx: float, cy: float, width: int, height: int) -> str | None:
    def band(v: float, names: tuple[str, str, str]) -> str | None:
        for k, edge in enumerate((1 / 3, 2 / 3)):
            if abs(v - edge) < REGION_MARGIN:
                return None
        return names[min(2, int(v * 3))] if 0 <= v < 1 else None

    row, col = band(cy / height, ROWS), band(cx / width, COLUMNS)
    if row is None or col is None:
        return None
    return "in the centre" if (row, col) == ("middle", "centre") else f"at the {row} {col}"


def size_word(radius: float, scale: int) -> str | None:
    share = radius / scale
    return next((name for name, lo, hi in SIZES if lo <= share <= hi), None)


def frame_questions(objects: list[dict], truth: list[dict], width: int, height: int,
                    rng: random.Random) -> list[tuple[str, str, tuple[str, ...], str]]:
    """(kind, question, options, answer) about one frame; options are empty for a caption."""
    shown = [(o, t) for o, t in zip(objects, truth) if t["visibility"] >= MOSTLY_VISIBLE]
    unclear = any(BARELY_VISIBLE < t["visibility"] < MOSTLY_VISIBLE for t in truth)
    out = []

    def choices(correct: str, pool) -> tuple[str, ...]:
        others = [p for p in pool if p != correct]
        return tuple([correct] + rng.sample(others, 3))

    shapes = [o["shape"] for o, _ in shown]
    for obj, t in shown:
        name = obj["name"]
        if shapes.count(obj["shape"]) == 1:
            out.append(("colour", f"What colour is the {obj['shape']}?", choices(obj["colour"], sorted(COLOURS)),
                        obj["colour"]))
        out.append(("shape", f"What shape is the {obj['colour']} object?", choices(obj["shape"], SHAPES), obj["shape"]))
        where = region(*t["centre"], width, height)
        if where is not None:
            places = ["in the centre"] + [f"at the {r} {c}" for r in ROWS for c in COLUMNS if (r, c) != ("middle", "centre")]
            out.append(("position", f"Where is the {name}?", choices(where, places), where))
        size = size_word(t["radius"], min(width, height))
        if size is not None:
            out.append(("size", f"How big is the {name}?", tuple(s for s, *_ in SIZES), size))
    present = {o["name"] for o, t in zip(objects, truth) if t["visibility"] > BARELY_VISIBLE}
    absent = sorted(f"{c} {s}" for c in COLOURS for s in SHAPES if f"{c} {s}" not in present)
    if shown and not unclear:
        asked = rng.choice([o["name"] for o, _ in shown]) if rng.random() < 0.5 else rng.choice(absent)
        out.append(("presence", f"Is there a {asked} in the picture?", ("Yes", "No"),
                    "Yes" if asked in present else "No"))
        count = str(len(shown))
        out.append(("count", "How many shapes are in the picture?", ("1", "2", "3", "4"), count))
        parts = []
        for obj, t in sorted(shown, key=lambda ot: (ot[1]["centre"][0], ot[1]["centre"][1])):
            where = region(*t["centre"], width, height)
            parts.append(f"a {obj['name']}" + (f" {where}" if where else ""))
        caption = "; ".join(parts)
        out.append(("caption", "Describe the picture in a few words.", (), caption[0].upper() + caption[1:] + "."))
    return out


def clip_frames(seed: int, index: int, width: int, height: int, fps: int, frames_per_clip: int):
    """Render pool clip `index`; yield (frame index, RGB array, objects, per-frame truth)."""
    names = sorted(ACTIONS)
    rng = clip_rng(seed, index)
    action = names[int(rng.integers(len(names)))]
    n_frames = max(8, round(float(rng.uniform(2.0, 3.0)) * fps))
    frames, truth = synthesize_clip(f"pool-{index:05d}", action, rng, width, height, fps, n_frames)
    picks = np.linspace(0, n_frames - 1, frames_per_clip).round().astype(int)
    for i in dict.fromkeys(int(p) for p in picks):
        yield i, frames[i], truth["objects"], truth["frames"][i]["objects"]


def write_pool(out_dir: Path, *, seed: int, clips: int, held_out_clips: int, width: int, height: int,
               fps: int, frames_per_clip: int, jpeg_quality: int, answer_format: str = "letter",
               kinds: tuple[str, ...] = KINDS) -> dict[str, list[dict]]:
    """Render the pool into out_dir/images and return sharegpt rows per split (train, held_out)."""
    from PIL import Image

    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise ValueError(f"models.tiny.pretrain.kinds: unknown {unknown} (known: {', '.join(KINDS)})")

    images = out_dir / "images"
    images.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[Sample]] = {"train": [], "held_out": []}
    for index in range(clips):
        split = "held_out" if index < held_out_clips else "train"
        question_rng = random.Random(f"{seed}:{index}:questions")
        for i, rgb, objects, truth in clip_frames(seed, index, width, height, fps, frames_per_clip):
            relative = f"images/{index:05d}_{i:03d}.jpg"
            Image.fromarray(rgb).save(out_dir / relative, format="JPEG", quality=jpeg_quality)
            for kind, question, options, answer in frame_questions(objects, truth, width, height, question_rng):
                if kind in kinds:  # filtered after drawing: the other kinds' questions stay the same
                    rows[split].append(Sample(kind, relative, question, options, answer))
    return {split: place_letters(samples, f"{seed}:{split}", answer_format) for split, samples in rows.items()}


def place_letters(samples: list[Sample], salt: str, answer_format: str = "letter") -> list[dict]:
    """Per kind, the correct option takes every letter equally often, in a seeded order."""
    rng = random.Random(salt)
    slots: dict[str, list[int]] = {}
    for kind in KINDS:
        size = next((len(s.options) for s in samples if s.kind == kind), 0)
        count = sum(1 for s in samples if s.kind == kind)
        order = (list(range(size)) * (count // max(size, 1) + 1))[:count] if size else []
        rng.shuffle(order)
        slots[kind] = order
    taken = {kind: 0 for kind in KINDS}
    out = []
    for s in samples:
        letter = None
        if s.options:
            letter = LETTERS[slots[s.kind][taken[s.kind]]]
            taken[s.kind] += 1
        out.append(s.entry(letter, answer_format))
    return out


def kind_counts(rows: list[dict]) -> dict[str, int]:
    counts = {kind: 0 for kind in KINDS}
    for row in rows:
        counts[row["kind"]] += 1
    return counts


def write_dataset(out_dir: Path, rows: dict[str, list[dict]]) -> dict:
    """LLaMA-Factory's dataset_info.json plus one file per dataset name; returns the info."""
    info = {}
    for name, split_rows in rows.items():
        (out_dir / f"{name}.json").write_text(json.dumps(split_rows, indent=0, sort_keys=True) + "\n")
        info[name] = {"file_name": f"{name}.json", "formatting": "sharegpt",
                      "columns": {"messages": "messages", "images": "images"}, "tags": TAGS}
    (out_dir / "dataset_info.json").write_text(json.dumps(info, indent=1, sort_keys=True) + "\n")
    return info
