"""Description records (Tarsier2's description task), for people-world videos with events and
real videos a description manifest covers.

A test video gets one record, its `frames` frames spread evenly over the video's `clip` set
(every frame of a labelled video, a bounded number of a described one); a train video
`train_views` (that view, then jittered ones). A record keeps the reference two ways, plain and frame-grounded, so `grounded` decides only what is exported.
A train-split record also carries every corruption of its frames (the frames to show instead
and what was done), seeded per video: the rejected side of its preference pairs.
Output: <tasks_dir>/descriptions.parquet.
"""
from __future__ import annotations

import json
from dataclasses import asdict

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import fragmentforge.descriptions.corruptions as corruptions
from fragmentforge.descriptions.corruptions import rng_for
from fragmentforge.descriptions.events import Event, grounded_text, plain_text, spans
from fragmentforge.descriptions.references import reference_events
from fragmentforge.layout import DESCRIPTIONS
from fragmentforge.motion.extract import CLIP_SET_ID
from fragmentforge.plugins import load_all

QUESTION = "These {n} frames of a video are in time order. Describe the video in detail: who does what, in order."
DESCRIPTION_SCHEMA = pa.schema([
    ("desc_id", pa.string()), ("split", pa.string()), ("video_id", pa.string()), ("frames", pa.list_(pa.string())),
    ("times", pa.list_(pa.float64())), ("question", pa.string()), ("reference", pa.string()),
    ("grounded_reference", pa.string()), ("events", pa.string()), ("corruptions", pa.string()),
])


DATASET = "description_train"  # the LLaMA-Factory dataset the train split goes to


def evenly(count: int, n: int) -> list[int]:
    return [int(i) for i in np.round(np.linspace(0, count - 1, n)).astype(int)]


def jittered(count: int, n: int, rng: np.random.Generator) -> list[int]:
    """One frame drawn in each of n equal segments of the pool: distinct, in time order."""
    edges = np.round(np.linspace(0, count, n + 1)).astype(int)
    return [int(rng.integers(a, b)) for a, b in zip(edges, edges[1:])]


def description_rows(contexts: list, settings, seed: int) -> list[dict]:
    """settings: tasks.descriptions. Videos without reference events or a clip set of at least
    twice the frames shown (clip-cropping's half window must hold them) give no record."""
    kinds = load_all(corruptions)
    rows = []
    for ctx in contexts:
        clip = next((s for s in ctx.sets if s.set_id == CLIP_SET_ID), None)
        events = reference_events(ctx.truth, tuple(settings.static))
        if not events or clip is None or len(clip.paths) < 2 * settings.frames:
            continue
        views = settings.train_views if ctx.split == "train" else 1
        jitter = rng_for(seed, ctx.video_id, "views")
        for view in range(views):
            picks = evenly(len(clip.paths), settings.frames) if view == 0 else jittered(len(clip.paths), settings.frames, jitter)
            rows.append(_record(ctx, clip, events, picks, view, settings, seed, kinds))
    return sorted(rows, key=lambda r: r["desc_id"])


def _record(ctx, clip, events, picks: list[int], view: int, settings, seed: int, kinds: dict) -> dict:
    times = [float(clip.times[i]) for i in picks]
    frame_spans = spans(events, times)
    corrupted = {}
    if ctx.split == "train":
        for name, module in kinds.items():
            out = module.corrupt(len(clip.paths), picks, rng_for(seed + view, ctx.video_id, name))
            corrupted[name] = {"frames": [clip.paths[i] for i in out.frames], "pool_indices": out.frames,
                               "induces": module.INDUCES, "meta": out.meta}
    return {
        "desc_id": f"description:{ctx.video_id}:{view}", "split": ctx.split, "video_id": ctx.video_id,
        "frames": [clip.paths[i] for i in picks], "times": times,
        "question": QUESTION.format(n=settings.frames), "reference": plain_text(events),
        "grounded_reference": grounded_text(events, frame_spans),
        "events": json.dumps([{**asdict(e), "span": list(s)} for e, s in zip(events, frame_spans)]),
        "corruptions": json.dumps(corrupted, sort_keys=True),
    }


def read_split(tasks_dir: Path, split: str) -> list[dict]:
    """The description records of one split (none when proxy_tasks wrote no file)."""
    path = Path(tasks_dir) / DESCRIPTIONS
    return [r for r in pq.read_table(path).to_pylist() if r["split"] == split] if path.is_file() else []


def record_events(row: dict) -> tuple[Event, ...]:
    """The events a record was written from (a world's, or a manifest's sentences)."""
    return tuple(Event(e["who"], e["action"], e["start_s"], e["end_s"], e.get("text", ""))
                 for e in json.loads(row["events"]))


def sharegpt(row: dict, grounded: bool, frames: list[str] | None = None) -> dict:
    """The record as LLaMA-Factory's sharegpt entry; `frames`: others to show instead (a corruption)."""
    target = row["grounded_reference"] if grounded else row["reference"]
    shown = list(row["frames"] if frames is None else frames)
    question = row["question"] if frames is None else QUESTION.format(n=len(shown))
    return {"messages": [{"role": "user", "content": "<image>" * len(shown) + question},
                         {"role": "assistant", "content": target}], "images": shown}


def gate_facts(rows: list[dict], root) -> list[dict]:
    """What the gate checks of each description record, re-derived from the record itself:
    its grounded spans from the text (inside the frames shown, in order, and where the events'
    times put them) and whether every frame it or its corruptions name exists."""
    from fragmentforge.descriptions.events import grounded_spans, span_problems

    out = []
    for row in rows:
        events = list(record_events(row))
        shown = list(row["frames"])
        named = shown + [f for c in json.loads(row["corruptions"]).values() for f in c["frames"]]
        out.append({"desc_id": row["desc_id"], "split": row["split"],
                    "span_problems": "; ".join(span_problems(row["grounded_reference"], len(shown))),
                    "spans_match_events": grounded_spans(row["grounded_reference"]) == spans(events, list(row["times"])),
                    "frames_missing": sum(1 for f in named if not (root / f).is_file())})
    return out
