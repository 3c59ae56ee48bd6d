"""Tarsier2's description benchmark for one model: a greedy description of each test video's
frames, scored against the reference by AutoDQ through the judge (params `judge`;
descriptions/judging.py). Grounding markers in a reply are checked, then left out before scoring.
"""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from fragmentforge.descriptions import judging
from fragmentforge.descriptions.events import grounded_spans, span_problems, strip_grounding
from fragmentforge.descriptions.records import read_split, record_events, sharegpt
from fragmentforge.evaluate.generation import generate_rows

SCORES_SCHEMA = pa.schema([
    ("run_id", pa.string()), ("desc_id", pa.string()), ("video_id", pa.string()), ("reply", pa.string()),
    ("recall", pa.float64()), ("precision", pa.float64()), ("ref_events", pa.int32()), ("pred_events", pa.int32()),
    ("spans", pa.int32()), ("span_problems", pa.string()),
    ("judge_status", pa.string()), ("judge_reason", pa.string()), ("judge_source", pa.string()),
])


def test_descriptions(tasks_dir: Path) -> list[dict]:
    return read_split(tasks_dir, "test")


def describe(loaded, rows: list[dict], params, root: Path) -> list[str]:
    ev = params.evaluation
    return generate_rows(loaded, [sharegpt(r, params.tasks.descriptions.grounded) for r in rows], root, ev.batch_size,
                         ev.description_max_new_tokens)


def score_replies(rows: list[dict], replies: list[str], params, root: Path, run_id: str) -> list[dict]:
    items = [judging.item_for(r["desc_id"], strip_grounding(reply), r["reference"], record_events(r))
             for r, reply in zip(rows, replies)]
    scored, _ = judging.score(items, params.judge, root / params.paths.eval_cache_dir / "judge")
    out = []
    for row, reply, s in zip(rows, replies, scored):
        spans = grounded_spans(reply)
        out.append({"run_id": run_id, "desc_id": row["desc_id"], "video_id": row["video_id"], "reply": reply,
                    "recall": s.dq.recall if s.dq else None, "precision": s.dq.precision if s.dq else None,
                    "ref_events": s.dq.ref_events if s.dq else None, "pred_events": s.dq.pred_events if s.dq else None,
                    "spans": len(spans), "span_problems": "; ".join(span_problems(reply, len(row["frames"]))) if spans else "",
                    "judge_status": "ok" if s.dq else "quarantined", "judge_reason": s.reason,
                    "judge_source": s.label_source})
    return out


def describe_and_score(loaded, rows: list[dict], params, root: Path, run_id: str) -> list[dict]:
    return score_replies(rows, describe(loaded, rows, params, root), params, root, run_id) if rows else []
