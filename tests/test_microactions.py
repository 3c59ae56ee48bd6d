"""MA-Bench: micro-action instances from AVA rows, per-part descriptors of people clips (a bad
video quarantined alone), the ground-truth teacher's structured captions, the judge's
verification and the review command deciding what enters the benchmark."""
from __future__ import annotations

import json

import yaml

import pyarrow.parquet as pq

from fragmentforge.config import load_params
from fragmentforge.descriptors import run_descriptors
from fragmentforge.ingest import run_ingest
from fragmentforge.keyframes.node import run_keyframes
from fragmentforge.microactions import review
from fragmentforge.microactions.captions import SCHEMA
from fragmentforge.microactions.instances import instances_of
from fragmentforge.microactions.vocabulary import BODY_LEVEL
from fragmentforge.synthetic.clips import synthesize
from fragmentforge.tasks.generate import run_proxy_tasks
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
    run_keyframes(params, root)
    result = run_descriptors(params, root)
    assert [q["video_id"] for q in result.quarantined] == [broken["video_id"]]
    assert result.videos == len(people) - 1  # the shapes clips and the sample have no keypoints
    rows = pq.read_table(result.descriptors).to_pylist()
    assert {r["video_id"] for r in rows} == {v["video_id"] for v in people} - {broken["video_id"]}
    assert all(abs(sum(r[d] for d in ("right", "up", "left", "down")) - 1) < 1e-3 or r["magnitude"] == 0
               for r in rows)

    every = pq.read_table(run_teacher_labels(params, root).labels).to_pylist()
    assert every and {r["label_source"] for r in every} == {"ground_truth"}
    assert {r["kind"] for r in every} >= {"micro_action_caption", "pose_description", "pose_difference"}
    labels = [r for r in every if r["kind"] == "micro_action_caption"]
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


def _ma_records(root):
    rows = pq.read_table(root / "data/tasks/qa.parquet").to_pylist()
    return {json.loads(r["meta"])["item_id"]: r for r in rows if r["level"] == "ma_bench"}


def _admit(root, mode: str):
    path = root / "params.yaml"
    raw = yaml.safe_load(path.read_text())
    raw["tasks"]["ma_bench"]["admit"] = mode
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return load_params(path)


def test_the_judge_verifies_and_the_review_command_decides_what_enters_the_benchmark(tmp_path, capsys):
    root = make_project(tmp_path)
    params = load_params(root / "params.yaml")
    synthesize(params.synthetic, root / params.paths.synthetic_dir)
    run_ingest(params, root)
    run_keyframes(params, root)
    run_descriptors(params, root)
    run_teacher_labels(params, root)
    run_proxy_tasks(params, root)
    candidates = pq.read_table(root / "data/tasks/review.parquet").to_pylist()
    supported = [c for c in candidates if c["judge_verdict"] == "supported"]
    unsupported = [c for c in candidates if c["judge_verdict"] == "unsupported"]
    assert supported and {c["judge_source"] for c in candidates} == {"ground_truth"}
    assert all(c["judge_reason"] for c in candidates)
    entered = _ma_records(root)
    assert set(entered) == {c["item_id"] for c in supported}  # admit: verified

    cli = ["--params", str(root / "params.yaml"), "--root", str(root)]
    review.main([*cli, "list"])
    assert f"{len(candidates)} item(s) (pending)" in capsys.readouterr().out
    dropped = supported[0]["item_id"]
    review.main([*cli, "reject", dropped, "--note", "the frames do not show it"])
    if unsupported:  # a reviewer may overrule the judge
        review.main([*cli, "accept", unsupported[0]["item_id"]])
    run_proxy_tasks(params, root)
    after = _ma_records(root)
    assert dropped not in after and set(after) == (set(entered) - {dropped}) | {u["item_id"] for u in unsupported[:1]}
    assert review.pending_count(root / "data/tasks/review.parquet", root / "data/review/queue.duckdb")["pending"] \
        == len(candidates) - 1 - len(unsupported[:1])

    params = _admit(root, "accepted")  # only what a reviewer accepted
    chosen = [c["item_id"] for c in supported[1:3]]
    review.main([*cli, "accept", *chosen])
    run_proxy_tasks(params, root)
    assert set(_ma_records(root)) == set(chosen) | {u["item_id"] for u in unsupported[:1]}
    try:
        review.main([*cli, "reject", chosen[0]])
    except SystemExit as exc:
        assert "--note" in str(exc)
    else:
        raise AssertionError("a rejection without a reason must be refused")
