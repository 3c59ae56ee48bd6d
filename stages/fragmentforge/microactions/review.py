"""MA-Bench's review: the judge's reflection verification, then people (manual rectification).

Every question of a reviewed level (a level module with `REVIEWED = True`) is sent to the judge
(params `judge`) before its answer letter is placed. Whether it enters the benchmark:
a reviewer's decision first (accepted: in, rejected: out), else `tasks.ma_bench.admit`:
`verified` takes what the judge supports, `accepted` nothing undecided. Every candidate, in or
out, is written to <tasks_dir>/review.parquet with the judge's verdict and reason.

The queue is a DuckDB table, `review_queue` in `paths.review_db`, that only this command
writes (the proxy_tasks node reads it, and DVC and Dagster rerun it when it changes):

    python -m fragmentforge.microactions.review list [--status pending] [--task ma_sad]
    python -m fragmentforge.microactions.review accept ITEM_ID... [--note TEXT]
    python -m fragmentforge.microactions.review reject ITEM_ID... --note "why"
"""
from __future__ import annotations

import argparse
import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from fragmentforge.cli import parse_args
from fragmentforge.common import write_json_atomic
from fragmentforge.layout import DESCRIPTORS, MANIFEST, REVIEW, TEACHER_CACHE, TEACHER_STATS
from fragmentforge.microactions import verify
from fragmentforge.microactions.descriptors import pooled
from fragmentforge.teacher.run import answer_all, make_teacher

QUEUE_DDL = """create table if not exists review_queue (
    item_id varchar primary key, task varchar, video_id varchar, question varchar, answer varchar,
    options varchar, judge_verdict varchar, judge_reason varchar, status varchar default 'pending',
    reviewer varchar, note varchar, decided_at timestamp)"""
REVIEW_SCHEMA = pa.schema([
    ("item_id", pa.string()), ("task", pa.string()), ("split", pa.string()), ("video_id", pa.string()),
    ("question", pa.string()), ("options", pa.list_(pa.string())), ("answer_text", pa.string()),
    ("judge_verdict", pa.string()), ("judge_reason", pa.string()), ("judge_source", pa.string()),
    ("decision", pa.string()), ("admitted", pa.bool_()),
])


def item_id(task: str, video_id: str, draft) -> str:
    key = json.dumps([task, video_id, draft.question, draft.correct, sorted(draft.distractors), draft.frames])
    return f"{task}:{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def init_queue(db: Path) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(db)) as conn:
        conn.execute(QUEUE_DDL)


def decisions(db: Path) -> dict[str, str]:
    """item_id -> accepted | rejected, for the items a reviewer decided."""
    if not db.is_file():
        return {}
    with duckdb.connect(str(db), read_only=True) as conn:
        if not conn.execute("select count(*) from information_schema.tables where table_name = 'review_queue'"
                            ).fetchone()[0]:
            return {}
        return dict(conn.execute("select item_id, status from review_queue where status != 'pending'").fetchall())


class Screening:
    """Filters a reviewed task's drafts before its letters are placed, keeping what it saw."""

    def __init__(self, params, root: Path):
        self.params, self.root = params, Path(root)
        self.decided = decisions(self.root / params.paths.review_db)
        manifest = pq.read_table(self.root / params.paths.raw_dir / MANIFEST).to_pylist()
        self.fps = {v["video_id"]: v["fps"] for v in manifest if v["status"] == "ok"}
        self.descriptors: dict[tuple, list] = {}
        path = self.root / params.paths.motion_dir / DESCRIPTORS
        if path.is_file():
            for row in pq.read_table(path).to_pylist():
                self.descriptors.setdefault((row["video_id"], row["person_id"]), []).append(row)
        self.rows: list[dict] = []
        self.stats: dict[str, dict] = {}

    def __call__(self, task: str, split: str, items: list) -> list:
        if not items:
            return items
        requests, ids = [], []
        for video_id, draft in items:
            ident = item_id(task, video_id, draft)
            start, end = draft.meta["span"]
            fps = self.fps.get(video_id, 0) or 1.0
            parts = pooled(self.descriptors.get((video_id, draft.meta["person_id"]), []),
                           int(round(start * fps)), int(round(end * fps)) + 1)
            requests.append(verify.request(ident, task, draft.question, [draft.correct, *draft.distractors],
                                           draft.correct, parts, draft.meta["done"], draft.meta))
            ids.append(ident)
        judge = make_teacher(self.params.judge, verify.ANSWERERS)
        try:
            results, stats = answer_all(requests, judge, self.root / self.params.paths.judge_dir / TEACHER_CACHE,
                                        self.params.judge)
        finally:
            judge.close()
        self.stats[f"{task}/{split}"] = stats.as_dict()
        kept = []
        for (video_id, draft), ident, result in zip(items, ids, results):
            verdict = result.value["verdict"] if result.status == "ok" else "quarantined"
            reason = result.value["reason"] if result.status == "ok" else result.reason
            decision = self.decided.get(ident)
            admitted = decision == "accepted" or (decision is None and self.params.tasks.ma_bench.admit == "verified"
                                                  and verdict == "supported")
            self.rows.append({"item_id": ident, "task": task, "split": split, "video_id": video_id,
                              "question": draft.question, "options": [draft.correct, *draft.distractors],
                              "answer_text": draft.correct, "judge_verdict": verdict, "judge_reason": reason,
                              "judge_source": result.label_source, "decision": decision, "admitted": admitted})
            if admitted:
                draft.meta = {**draft.meta, "review": decision or "verified", "item_id": ident}
                kept.append((video_id, draft))
        return kept

    def write(self, tasks_folder: Path) -> None:
        """review.parquet beside the records, and the judge's counts in paths.judge_dir."""
        rows = sorted(self.rows, key=lambda r: r["item_id"])
        pq.write_table(pa.Table.from_pylist(rows, schema=REVIEW_SCHEMA), Path(tasks_folder) / REVIEW)
        judge_dir = self.root / self.params.paths.judge_dir
        judge_dir.mkdir(parents=True, exist_ok=True)
        source = "ground_truth" if self.params.judge.kind == "ground_truth" else f"model:{self.params.judge.model}"
        write_json_atomic(judge_dir / TEACHER_STATS, {"judge": source, "batches": self.stats})


def sync(db: Path, review_file: Path) -> int:
    """Add the candidates the last proxy_tasks run wrote to the queue as pending; returns how many were new."""
    init_queue(db)
    if not review_file.is_file():
        return 0
    rows = pq.read_table(review_file).to_pylist()
    with duckdb.connect(str(db)) as conn:
        known = {r[0] for r in conn.execute("select item_id from review_queue").fetchall()}
        new = [r for r in rows if r["item_id"] not in known]
        for r in new:
            conn.execute("insert into review_queue (item_id, task, video_id, question, answer, options, judge_verdict,"
                         " judge_reason) values (?, ?, ?, ?, ?, ?, ?, ?)",
                         [r["item_id"], r["task"], r["video_id"], r["question"], r["answer_text"],
                          json.dumps(r["options"]), r["judge_verdict"], r["judge_reason"]])
        for r in rows:  # a changed verdict (new judge) is shown; decisions stay
            conn.execute("update review_queue set judge_verdict = ?, judge_reason = ? where item_id = ?",
                         [r["judge_verdict"], r["judge_reason"], r["item_id"]])
    return len(new)


def decide(db: Path, ids: list[str], status: str, note: str | None, reviewer: str) -> list[str]:
    """Set the status of queued items; returns the ids that are not in the queue."""
    init_queue(db)
    missing = []
    with duckdb.connect(str(db)) as conn:
        for ident in ids:
            if not conn.execute("select count(*) from review_queue where item_id = ?", [ident]).fetchone()[0]:
                missing.append(ident)
                continue
            conn.execute("update review_queue set status = ?, note = ?, reviewer = ?, decided_at = ? where item_id = ?",
                         [status, note, reviewer, datetime.now(timezone.utc).replace(tzinfo=None), ident])
    return missing


def pending_count(review_file: Path, db: Path) -> dict:
    """What waits for a reviewer: candidates without a decision, by judge verdict."""
    if not review_file.is_file():
        return {"candidates": 0, "pending": 0, "pending_judge_rejected": 0, "admitted": 0}
    rows = pq.read_table(review_file).to_pylist()
    decided = decisions(db)
    waiting = [r for r in rows if r["item_id"] not in decided]
    return {"candidates": len(rows), "pending": len(waiting),
            "pending_judge_rejected": sum(r["judge_verdict"] != "supported" for r in waiting),
            "admitted": sum(r["admitted"] for r in rows)}


def main(argv=None) -> None:
    def more(parser: argparse.ArgumentParser):
        parser.add_argument("action", choices=("init", "list", "accept", "reject"))
        parser.add_argument("ids", nargs="*", help="item ids (accept, reject)")
        parser.add_argument("--status", default="pending", choices=("pending", "accepted", "rejected", "all"))
        parser.add_argument("--task", help="only this task (list)")
        parser.add_argument("--note", help="why (reject needs one)")
        parser.add_argument("--reviewer", default="cli")

    params, root, args = parse_args("MA-Bench's human review queue.", argv, more)
    db = root / params.paths.review_db
    review_file = root / params.paths.tasks_dir / REVIEW
    if args.action == "init":
        init_queue(db)
        return
    added = sync(db, review_file)
    if args.action == "list":
        where, values = ("" if args.status == "all" else "where status = ?"), ([] if args.status == "all" else [args.status])
        if args.task:
            where += (" and" if where else "where") + " task = ?"
            values.append(args.task)
        with duckdb.connect(str(db), read_only=True) as conn:
            rows = conn.execute(f"select item_id, status, judge_verdict, judge_reason, question, answer from review_queue "
                                f"{where} order by item_id", values).fetchall()
        print(f"{len(rows)} item(s) ({args.status}); {added} new since the last look")
        for ident, status, verdict, reason, question, answer in rows:
            print(f"{ident}  [{status}; judge: {verdict}: {reason}]\n    {question}\n    answer: {answer}")
        return
    if not args.ids:
        raise SystemExit(f"{args.action}: name at least one item id")
    if args.action == "reject" and not args.note:
        raise SystemExit("reject: say why with --note")
    missing = decide(db, args.ids, "accepted" if args.action == "accept" else "rejected", args.note, args.reviewer)
    if missing:
        raise SystemExit(f"not in the queue: {', '.join(missing)}")
    print(f"{args.action}ed {len(args.ids)} item(s); rerun the pipeline to rebuild the benchmark")


if __name__ == "__main__":
    main()
