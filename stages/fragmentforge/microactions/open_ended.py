"""MA-Bench's open-ended tasks: the model writes, the judge scores 0-5 on three levels.

  MADU  descriptive understanding: describe the movement (L1 core action semantics, L2 spatial
        directions and relations, L3 temporal order and structure)
  MARE  reasoning and explanation: name the body level and the action and give the evidence
        (L1 body level, L2 action, L3 the reasoning chain)

Each captioned instance gives one question per task. Train-split ones teach MA-Bench-Train's
targets (the caption, and the labels with their evidence) through sft_train; test-split ones
are the benchmark. Output: <tasks_dir>/open_ended.parquet.
"""
from __future__ import annotations

import json

import pyarrow as pa

from fragmentforge.microactions import questions as q
from fragmentforge.microactions.tasking import shown_with

TASKS = {
    "ma_madu": "Describe how their body moves: which parts move, which way, how much and in what order. "
               "Describe only what you can see.",
    "ma_mare": "Name the body level and the action of their movement, then say which movements in the frames "
               "show each.",
}
LABELS = {"ma_madu": "MADU", "ma_mare": "MARE"}
OPEN_SCHEMA = pa.schema([
    ("oe_id", pa.string()), ("task", pa.string()), ("split", pa.string()), ("video_id", pa.string()),
    ("person_id", pa.int32()), ("frames", pa.list_(pa.string())), ("question", pa.string()),
    ("reference", pa.string()), ("target", pa.string()),
])


def target_text(task: str, caption: dict) -> str:
    """What a perfect answer says: the training target, and what the judge compares against."""
    if task == "ma_madu":
        return caption["caption"]
    level = caption["body_level"]
    return (f"Body level: {level}. Action: {q.phrase(caption['action'])}. "
            f"Evidence: {caption['caption']}")


def open_questions(contexts: list, settings) -> list[dict]:
    rows = []
    for ctx in contexts:
        for number, s in enumerate(shown_with(ctx, settings)):
            intro = q.INTRO.format(n=len(s.frames), who=s.who, start=s.start, end=s.end)
            for task, ask in TASKS.items():
                rows.append({"oe_id": f"{task}:{ctx.video_id}:{number}", "task": task, "split": ctx.split,
                             "video_id": ctx.video_id, "person_id": s.item.person_id,
                             "frames": [path for _, path in s.frames], "question": intro + ask,
                             "reference": json.dumps(s.item.caption, sort_keys=True),
                             "target": target_text(task, s.item.caption)})
    return sorted(rows, key=lambda r: r["oe_id"])


def user_turn(row: dict) -> str:
    return "<image>" * len(row["frames"]) + row["question"]


def sharegpt(row: dict) -> dict:
    return {"messages": [{"role": "user", "content": user_turn(row)},
                         {"role": "assistant", "content": row["target"]}], "images": list(row["frames"])}
