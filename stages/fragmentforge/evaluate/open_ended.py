"""MA-Bench's open-ended benchmark for one model: greedy answers to the test-split MADU and MARE
questions, scored 0-5 on three levels by the judge (params `judge`). When the judge is a model,
the ground-truth judge scores the same answers too, so the report can show how far they agree.
"""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fragmentforge.evaluate.generation import generate_rows
from fragmentforge.layout import OPEN_QUESTIONS
from fragmentforge.microactions import judge as rubric
from fragmentforge.microactions.open_ended import sharegpt
from fragmentforge.teacher.run import answer_all, cache_settings, make_teacher

SCORES_SCHEMA = pa.schema([
    ("run_id", pa.string()), ("oe_id", pa.string()), ("task", pa.string()), ("video_id", pa.string()),
    ("reply", pa.string()), ("l1", pa.int32()), ("l2", pa.int32()), ("l3", pa.int32()),
    ("judge_status", pa.string()), ("judge_reason", pa.string()), ("judge_source", pa.string()),
    ("gt_l1", pa.int32()), ("gt_l2", pa.int32()), ("gt_l3", pa.int32()),
])


def test_questions(tasks_dir: Path) -> list[dict]:
    path = Path(tasks_dir) / OPEN_QUESTIONS
    if not path.is_file():
        return []
    return [r for r in pq.read_table(path).to_pylist() if r["split"] == "test"]


def judge_identity(judge) -> str:
    """What about the judge changes a score (kind, model and sampling), for the run's identity."""
    return json.dumps({"kind": judge.kind, **cache_settings(judge)}, sort_keys=True)


def _scores(rows, replies, settings, cache_dir: Path | None):
    requests = [rubric.request(r["oe_id"], r["task"], r["question"], json.loads(r["reference"]), reply)
                for r, reply in zip(rows, replies)]
    teacher = make_teacher(settings, rubric.ANSWERERS)
    try:
        return answer_all(requests, teacher, cache_dir, settings)
    finally:
        teacher.close()


def answer_and_score(loaded, rows: list[dict], params, root: Path, run_id: str) -> list[dict]:
    if not rows:
        return []
    ev = params.evaluation
    replies = generate_rows(loaded, [sharegpt(r) for r in rows], root, ev.batch_size, ev.open_ended_max_new_tokens)
    judged, _ = _scores(rows, replies, params.judge, root / params.paths.eval_cache_dir / "judge")
    if params.judge.kind == "ground_truth":
        reference = judged
    else:
        from fragmentforge.config.schema import TeacherParams

        reference, _ = _scores(rows, replies, TeacherParams(), None)
    out = []
    for row, reply, mine, truth in zip(rows, replies, judged, reference):
        scores = mine.value or {}
        gt = truth.value or {}
        out.append({"run_id": run_id, "oe_id": row["oe_id"], "task": row["task"], "video_id": row["video_id"],
                    "reply": reply, "l1": scores.get("l1"), "l2": scores.get("l2"), "l3": scores.get("l3"),
                    "judge_status": mine.status, "judge_reason": scores.get("reason") or mine.reason,
                    "judge_source": mine.label_source, "gt_l1": gt.get("l1"), "gt_l2": gt.get("l2"),
                    "gt_l3": gt.get("l3")})
    return out
