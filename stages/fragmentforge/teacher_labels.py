"""Node `teacher_labels`: what the teacher (params `teacher`) labels, for every video it applies to.

MA-Bench's structured caption of each micro-action instance, from the motion descriptors
pooled over the span its questions show (the instance widened to tasks.ma_bench.min_span_s);
ActionArt's proxy tasks on train-split videos: pose descriptions, pose differences between two
frames, action-unit labels (crops under units/), and the pseudo-long clips made from the units. Output (paths.teacher_dir): labels.parquet (one row per request: the reply,
or the reason it was quarantined, and which teacher labelled it), stats.json (requests, cache
hits, requests sent, malformed and failed replies) and cache/ (the server replies by content
hash; kept between runs, so an unchanged rerun sends nothing).
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fragmentforge.cli import parse_stage_args
from fragmentforge.common import write_json_atomic
from fragmentforge.config import Params
from fragmentforge.actionart import proxy
from fragmentforge.layout import DESCRIPTORS, KEYFRAMES, MANIFEST, TEACHER_CACHE, TEACHER_LABELS, TEACHER_STATS, UNITS
from fragmentforge.microactions import captions
from fragmentforge.microactions.descriptors import pooled
from fragmentforge.microactions.instances import instances_of
from fragmentforge.microactions.questions import widen
from fragmentforge.teacher.run import answer_all, make_teacher

PSEUDO_CLIP_UNITS = 3  # action units (two frames each) per pseudo-long clip
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


def proxy_requests(root: Path, params: Params, units_dir: Path) -> tuple[list, list[dict]]:
    """ActionArt's proxy-task requests for every train-split AVA video with keypoints."""
    manifest = pq.read_table(root / params.paths.raw_dir / MANIFEST).to_pylist()
    windows: dict[str, dict] = {}
    for row in pq.read_table(root / params.paths.frames_dir / KEYFRAMES, filters=[("mode", "=", "label")]).to_pylist():
        second = float(row["set_id"].removeprefix("normal-label-").removesuffix("s"))
        windows.setdefault(row["video_id"], {})[second] = row
    requests, meta = [], []
    for video in sorted((v for v in manifest if v["status"] == "ok" and v["split"] == "train" and v.get("ground_truth")),
                        key=lambda v: v["video_id"]):
        truth = json.loads((root / video["ground_truth"]).read_text())
        if truth.get("world") != "ava" or not truth.get("poses"):
            continue
        for request, fields in proxy.requests_for(video, truth, windows.get(video["video_id"], {}), units_dir, root):
            requests.append(request)
            meta.append({"video_id": fields["video_id"], "person_id": fields["person_id"],
                         "subject": proxy.subject_json({k: v for k, v in fields.items() if k not in ("video_id",)})})
    return requests, meta


def _rows(requests, results, meta) -> list[dict]:
    return [{"item_id": r.item_id, "kind": q.kind, **m, "status": r.status,
             "value": json.dumps(r.value, sort_keys=True) if r.value is not None else None,
             "reason": r.reason or None, "label_source": r.label_source, "cached": r.cached}
            for q, r, m in zip(requests, results, meta)]


def run_teacher_labels(params: Params, root: Path) -> LabelsResult:
    root = Path(root)
    out_dir = root / params.paths.teacher_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    units_dir = out_dir / UNITS
    if units_dir.exists():  # crops of this run only (the folder persists for the reply cache)
        shutil.rmtree(units_dir)
    batches = {captions.KIND: caption_requests(root, params)}
    asked, asked_meta = proxy_requests(root, params, units_dir)
    for kind in (proxy.POSE, proxy.DIFFERENCE, proxy.UNIT):
        picked = [i for i, r in enumerate(asked) if r.kind == kind]
        batches[kind] = ([asked[i] for i in picked], [asked_meta[i] for i in picked])
    teacher = make_teacher(params.teacher, {**captions.ANSWERERS, **proxy.ANSWERERS})
    rows, summary = [], {"teacher": teacher.label_source}
    try:
        for kind, (requests, meta) in batches.items():
            results, stats = answer_all(requests, teacher, out_dir / TEACHER_CACHE, params.teacher)
            rows += _rows(requests, results, meta)
            summary[kind] = stats.as_dict()
    finally:
        teacher.close()
    units = [{"item_id": r["item_id"], "video_id": r["video_id"], "label": json.loads(r["value"])["label"],
              "frames": json.loads(r["subject"])["frames"]} for r in rows if r["kind"] == proxy.UNIT and r["status"] == "ok"]
    for number, clip in enumerate(proxy.pseudo_clips(units, PSEUDO_CLIP_UNITS, params.tasks.seed)):
        rows.append({"item_id": f"{proxy.CLIP}:{number}", "kind": proxy.CLIP, "video_id": clip["video_id"],
                     "person_id": None, "subject": proxy.subject_json(clip), "status": "ok",
                     "value": json.dumps({"labels": clip["labels"]}), "reason": None,
                     "label_source": teacher.label_source, "cached": False})
    summary[proxy.CLIP] = {"clips": sum(r["kind"] == proxy.CLIP for r in rows), "units_per_clip": PSEUDO_CLIP_UNITS}
    tmp = out_dir / f".{TEACHER_LABELS}.part"
    pq.write_table(pa.Table.from_pylist(rows, schema=LABEL_SCHEMA), tmp)
    tmp.replace(out_dir / TEACHER_LABELS)
    write_json_atomic(out_dir / TEACHER_STATS, summary)
    return LabelsResult(out_dir / TEACHER_LABELS, summary)


def main(argv=None) -> None:
    params, root = parse_stage_args("Teacher labels: MA-Bench's structured micro-action captions.", argv)
    result = run_teacher_labels(params, root)
    for kind, stats in result.stats.items():
        if isinstance(stats, dict) and "requests" in stats:
            print(f"teacher labels ({result.stats['teacher']}) {kind}: {stats['ok']} of {stats['requests']} ok, "
                  f"{stats['quarantined']} quarantined, {stats['sent']} requests sent, "
                  f"cache hit rate {stats['hit_rate']:.0%}")
    print(f"  {result.stats[proxy.CLIP]['clips']} pseudo-long clips -> {result.labels}")


if __name__ == "__main__":
    main()
