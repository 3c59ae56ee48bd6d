"""Benchmark questions from the QA records (test split): every model sees the same frames,
in the prompt the training export uses."""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional

import pyarrow.parquet as pq

from fragmentforge.tasks.record import LETTERS, sharegpt_entry


@dataclass(frozen=True)
class Question:
    qa_id: str
    task: str
    level: str
    n: int  # frames shown
    video_id: str
    options: dict  # letter -> option text
    answer: str
    row: dict  # the sharegpt entry: messages + images
    answer_format: str = "letter"  # the reply trained: the option's letter or its text
    # expected accuracy of a blind pick of the option most often right in the training split
    prior: Optional[float] = None
    question: str = ""  # the question's own text, as in the record (FineAgent adds context before it)
    meta: dict = field(default_factory=dict)  # the record's meta (FineAgent reads the keyframe second)


def from_record(record: dict) -> Question:
    _, entry = sharegpt_entry(record)
    options = {LETTERS[i]: text for i, text in enumerate(record["options"])}
    return Question(qa_id=record["qa_id"], task=record["task"], level=record["level"],
                    n=len(record["frames"] or []), video_id=record["video_id"], options=options,
                    answer=record["answer"], row=entry, answer_format=record.get("answer_format") or "letter",
                    question=record["question"], meta=json.loads(record.get("meta") or "{}"))


def answer_prior(question: Question, right_in_training: Counter) -> float:
    """A model that never looks picks, among the options, the text most often right in training
    (ties split evenly). Letters are balanced, option texts are not: this is the bar a
    text-scored model must clear before it has read anything from the frames."""
    counts = {letter: right_in_training[text] for letter, text in question.options.items()}
    best = max(counts.values())
    tied = [letter for letter, c in counts.items() if c == best]
    return 1 / len(tied) if question.answer in tied else 0.0


def load_questions(qa_path: Path, split: str = "test") -> list[Question]:
    records = pq.read_table(qa_path).to_pylist()
    right: dict[str, Counter] = defaultdict(Counter)
    for r in records:
        if r["split"] == "train":
            right[r["task"]][r["answer_text"]] += 1
    questions = [from_record(r) for r in sorted((r for r in records if r["split"] == split), key=lambda r: r["qa_id"])]
    return [replace(q, prior=answer_prior(q, right[q.task])) for q in questions]
