"""MA-Bench's first half: micro-action instances from AVA rows, per-part descriptors of people
clips (a bad video quarantined alone), and the ground-truth teacher's structured captions."""
from __future__ import annotations

import json

import pyarrow.parquet as pq

from fragmentforge.config import load_params
from fragmentforge.descriptors import run_descriptors
from fragmentforge.ingest import run_ingest
from fragmentforge.microactions.captions import SCHEMA
from fragmentforge.microactions.instances import instances_of
from fragmentforge.microactions.vocabulary import BODY_LEVEL
from fragmentforge.synthetic.clips import synthesize
from fragmentforge.teacher.reply import schema_problem
from fragmentforge.teacher_labels import run_teacher_labels
from tests.conftest import make_project


def _keyframe(second, *people):
    return {"second": second, "people": [{"person_id": pid, "box": [0, 0, 1, 1],
                                          "actions": [{"id": 0, "name": name} for name in names]}
                                         for pid, names in people]}


def test_instances_join_consecutive_keyframes_split_at_gaps_and_skip_other_actions():
    truth = {"keyframes": [_keyframe(0.5, (0, ["stand", "nod"]), (1, ["bend"])),
                           _keyframe(1.0, (0, ["stand", "nod"]), (1, ["bend", "hold"])),
                           _keyframe(1.5, (0, ["stand"]), (1, ["walk"])),
                           _keyframe(2.0, (0, ["nod"]), (1, ["walk"]))]}
    found = [(i.person_id, i.action, i.seconds, i.order, i.start_s, i.end_s) for i in instances_of("v", truth)]
    assert found == [(0, "nod", (0.5, 1.0), 0, 0.25, 1.25), (1, "bend", (0.5, 1.0), 0, 0.25, 1.25),
                     (0, "nod", (2.0,), 1, 1.75, 2.25)]


def test_people_clips_get_descriptors_and_captions_and_a_broken_video_is_quarantined_alone(tmp_path):
    root = make_project(tmp_path)
    params = load_params(root / "params.yaml")
    synthesize(params.synthetic, root / params.paths.synthetic_dir)
    run_ingest(params, root)
    manifest = pq.read_table(root / "data/raw/manifest.parquet").to_pylist()
    people = [v for v in manifest if v["status"] == "ok" and v["source"] == "people"]
    assert len(people) == params.synthetic.people.num_clips

    broken = min(people, key=lambda v: v["video_id"])
    path = root / broken["path"]
    path.write_bytes(path.read_bytes()[:300])  # truncated after ingest: no frame can be decoded
    result = run_descriptors(params, root)
    assert [q["video_id"] for q in result.quarantined] == [broken["video_id"]]
    assert result.videos == len(people) - 1  # the shapes clips and the sample have no keypoints
    rows = pq.read_table(result.descriptors).to_pylist()
    assert {r["video_id"] for r in rows} == {v["video_id"] for v in people} - {broken["video_id"]}
    assert all(abs(sum(r[d] for d in ("right", "up", "left", "down")) - 1) < 1e-3 or r["magnitude"] == 0
               for r in rows)

    labels = pq.read_table(run_teacher_labels(params, root).labels).to_pylist()
    assert labels and {r["label_source"] for r in labels} == {"ground_truth"}
    stats = json.loads((root / "data/teacher/stats.json").read_text())["micro_action_caption"]
    assert stats["requests"] == len(labels) and stats["sent"] == 0
    for row in labels:
        subject = json.loads(row["subject"])
        if row["video_id"] == broken["video_id"]:  # no descriptors: the teacher cannot caption it
            assert row["status"] == "quarantined" and row["reason"].startswith("no ground truth")
            continue
        caption = json.loads(row["value"])
        assert schema_problem(caption, SCHEMA) == ""
        assert caption["action"] == subject["action"] and caption["body_level"] == BODY_LEVEL[subject["action"]]
        moving = [p for p in caption["parts"] if p["amount"] != "still"]
        assert all(subject["parts"][p["part"]]["magnitude"] >= 0.15 for p in moving)
