"""Benchmark questions from the QA records (test split): every model sees the same frames,
in the prompt the training export uses."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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


def from_record(record: dict) -> Question:
    _, entry = sharegpt_entry(record)
    options = {LETTERS[i]: text for i, text in enumerate(record["options"])}
    return Question(qa_id=record["qa_id"], task=record["task"], level=record["level"],
                    n=len(record["frames"] or []), video_id=record["video_id"], options=options,
                    answer=record["answer"], row=entry)


def load_questions(qa_path: Path, split: str = "test") -> list[Question]:
    table = pq.read_table(qa_path, filters=[("split", "=", split)])
    return [from_record(r) for r in sorted(table.to_pylist(), key=lambda r: r["qa_id"])]
