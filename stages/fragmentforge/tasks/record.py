"""The canonical QA record and the step that turns a generator's draft into one.

A generator says what is true (the correct option text and its distractors); the letter
the correct option gets is drawn afterwards, per task and split, from a shuffled balanced
sequence, so every letter is equally likely and the shares stay within 1/count of uniform.

`answer_format` says what the reply is: the option's letter (the benchmark's own multiple-choice
form) or the option's text (the cloze form, for models too small to bind a letter to an option).
`media` says how the frames are shown: `frames`, one image each, or `video`, together as one clip.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Optional

import pyarrow as pa

LETTERS = "ABCDEFGHIJ"
INSTRUCTIONS = {"letter": "Answer with the option's letter.", "text": "Answer with the right option, word for word."}
YES, NO, NOT_SURE = "Yes", "No", "Not sure"
SPLITS = ("train", "test")

QA_SCHEMA = pa.schema([
    ("qa_id", pa.string()), ("task", pa.string()), ("level", pa.string()), ("split", pa.string()),
    ("video_id", pa.string()), ("variant", pa.string()), ("frames", pa.list_(pa.string())),
    ("video", pa.string()), ("question", pa.string()), ("options", pa.list_(pa.string())),
    ("answer", pa.string()), ("answer_text", pa.string()), ("meta", pa.string()),
    ("answer_format", pa.string()), ("media", pa.string()),
])
COLUMNS = tuple(QA_SCHEMA.names)
_META = json.JSONEncoder(sort_keys=True, separators=(",", ":"), check_circular=False)


@dataclass(slots=True)
class Draft:
    """What a generator knows; `split`, `video_id` and the letters are filled in later."""

    variant: str
    frames: list
    question: str
    correct: str
    distractors: list
    meta: dict = field(default_factory=dict)
    video: Optional[str] = None


def place_answers(task: str, level: str, split: str, items: list[tuple[str, Draft]], seed: int,
                  answer_format: str = "letter", media: str = "frames") -> list[dict]:
    """Records for one (task, split): `items` are (video_id, draft) in a stable order."""
    if not items:
        return []
    sizes = {len(d.distractors) + 1 for _, d in items}
    if len(sizes) != 1:
        raise ValueError(f"task {task}: every question needs the same number of options, got {sorted(sizes)}")
    k = sizes.pop()
    rng = random.Random(f"{seed}:{task}:{split}:letters")
    slots = list(range(k)) * (len(items) // k + 1)
    slots = slots[: len(items)]
    rng.shuffle(slots)
    counters: dict[str, int] = {}
    records = []
    for (video_id, draft), slot in zip(items, slots):
        options = list(draft.distractors)
        rng.shuffle(options)
        options.insert(slot, draft.correct)
        number = counters.get(video_id, 0)
        counters[video_id] = number + 1
        records.append({
            "qa_id": f"{task}:{video_id}:{number}", "task": task, "level": level, "split": split,
            "video_id": video_id, "variant": draft.variant, "frames": draft.frames, "video": draft.video,
            "question": draft.question, "options": options, "answer": LETTERS[slot],
            "answer_text": draft.correct, "meta": _META.encode(draft.meta), "answer_format": answer_format,
            "media": media if draft.frames else "video",
        })
    return records


def prompt_text(question: str, options: list[str], frames: int, answer_format: str = "letter") -> str:
    """The user turn shared by the training export and the evaluator: one <image> per frame,
    the question, lettered options and the instruction for the reply's form."""
    lines = ["<image>" * frames + question]
    lines += [f"{LETTERS[i]}. {text}" for i, text in enumerate(options)]
    lines.append(INSTRUCTIONS[answer_format])
    return "\n".join(lines)


def ordinal(i: int) -> str:
    return ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
            "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth"][i]


def sharegpt_entry(record: dict) -> tuple[str, dict]:
    """(media form, entry): the user turn carries one <image> per frame, or one <video> for the
    frames shown as a video (a list of frame paths, as LLaMA-Factory reads one) or a video file."""
    frames = list(record["frames"] or [])
    form = record.get("answer_format") or "letter"
    if frames and (record.get("media") or "frames") == "frames":
        media = "images"
        content = prompt_text(record["question"], list(record["options"]), len(frames), form)
        files = frames
    else:
        media = "videos"
        content = "<video>" + prompt_text(record["question"], list(record["options"]), 0, form)
        files = [frames or record["video"]]
    reply = record["answer"] if form == "letter" else record["answer_text"]
    return media, {"messages": [{"role": "user", "content": content},
                                {"role": "assistant", "content": reply}], media: files}
