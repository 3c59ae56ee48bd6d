"""Node `teacher_labels`: what the teacher (params `teacher`) labels, for every video it applies to.

Now: MA-Bench's structured caption of each micro-action instance, from the motion descriptors
pooled over the span its questions show (the instance widened to tasks.ma_bench.min_span_s). Output (paths.teacher_dir): labels.parquet (one row per request: the reply,
or the reason it was quarantined, and which teacher labelled it), stats.json (requests, cache
hits, requests sent, malformed and failed replies) and cache/ (the server replies by content
hash; kept between runs, so an unchanged rerun sends nothing).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fragmentforge.cli import parse_stage_args
from fragmentforge.common import write_json_atomic
from fragmentforge.config import Params
from fragmentforge.layout import DESCRIPTORS, MANIFEST, TEACHER_CACHE, TEACHER_LABELS, TEACHER_STATS
from fragmentforge.microactions import captions
from fragmentforge.microactions.descriptors import pooled
from fragmentforge.microactions.instances import instances_of
from fragmentforge.microactions.questions import widen
from fragmentforge.teacher.run import answer_all, make_teacher

LABEL_SCHEMA = pa.schema([
    ("item_id", pa.string()), ("kind", pa.string()), ("video_id", pa.string()), ("person_id", pa.int32()),
    ("subject", pa.string()), ("status", pa.string()), ("value", pa.string()), ("reason", pa.string()),
    ("label_source", pa.string()), ("cached", pa.bool_()),
])


@dataclass(frozen=True)
class LabelsResult:
    labels: Path
    stats: dict


def caption_requests(root: Path, params: Params) -> tuple[list, list[dict]]:
    """(requests, their rows' shared fields) for every micro-action instance with descriptors."""
    manifest = pq.read_table(root / params.paths.raw_dir / MANIFEST).to_pylist()
    descriptors = pq.read_table(root / params.paths.motion_dir / DESCRIPTORS).to_pylist()
    by_person: dict[tuple, list] = {}
    for row in descriptors:
        by_person.setdefault((row["video_id"], row["person_id"]), []).append(row)
    requests, meta = [], []
    for video in sorted((v for v in manifest if v["status"] == "ok" and v.get("ground_truth")),
                        key=lambda v: v["video_id"]):
        truth = json.loads((root / video["ground_truth"]).read_text())
        if truth.get("world") != "ava":
            continue
        for instance in instances_of(video["video_id"], truth):
            # the span a question will show: the instance's, widened to tasks.ma_bench.min_span_s
            start, end = widen(instance.start_s, instance.end_s, params.tasks.ma_bench.min_span_s, video["duration_s"])
            fps = video["fps"]
            parts = pooled(by_person.get((video["video_id"], instance.person_id), []),
                           int(round(start * fps)), int(round(end * fps)) + 1)
            requests.append(captions.request(instance, parts, instance.action, (start, end)))
            meta.append({"video_id": instance.video_id, "person_id": instance.person_id,
                         "subject": json.dumps({"action": instance.action, "start_s": instance.start_s,
                                                "end_s": instance.end_s, "span": [start, end],
                                                "seconds": list(instance.seconds), "order": instance.order,
                                                "parts": parts}, sort_keys=True)})
    return requests, meta


def run_teacher_labels(params: Params, root: Path) -> LabelsResult:
    root = Path(root)
    out_dir = root / params.paths.teacher_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    requests, meta = caption_requests(root, params)
    teacher = make_teacher(params.teacher, captions.ANSWERERS)
    try:
        results, stats = answer_all(requests, teacher, out_dir / TEACHER_CACHE, params.teacher)
    finally:
        teacher.close()
    rows = [{"item_id": r.item_id, "kind": q.kind, **m, "status": r.status,
             "value": json.dumps(r.value, sort_keys=True) if r.value is not None else None,
             "reason": r.reason or None, "label_source": r.label_source, "cached": r.cached}
            for q, r, m in zip(requests, results, meta)]
    tmp = out_dir / f".{TEACHER_LABELS}.part"
    pq.write_table(pa.Table.from_pylist(rows, schema=LABEL_SCHEMA), tmp)
    tmp.replace(out_dir / TEACHER_LABELS)
    summary = {"teacher": teacher.label_source, captions.KIND: stats.as_dict()}
    write_json_atomic(out_dir / TEACHER_STATS, summary)
    return LabelsResult(out_dir / TEACHER_LABELS, summary)


def main(argv=None) -> None:
    params, root = parse_stage_args("Teacher labels: MA-Bench's structured micro-action captions.", argv)
    result = run_teacher_labels(params, root)
    stats = result.stats[captions.KIND]
    print(f"teacher labels ({result.stats['teacher']}): {stats['ok']} of {stats['requests']} captions, "
          f"{stats['quarantined']} quarantined, {stats['sent']} requests sent, cache hit rate {stats['hit_rate']:.0%}"
          f" -> {result.labels}")


if __name__ == "__main__":
    main()
