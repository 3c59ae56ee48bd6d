"""AVA CSVs, AVA action lists and COCO keypoints: written and read back as they were; bad rows
quarantined one by one with their reasons while the good rows go on."""
import json

from fragmentforge.formats import ava, coco_keypoints
from fragmentforge.synthetic.people.annotations import action_list, ava_rows, coco_people, keyframe_seconds
from fragmentforge.synthetic.people.world import people_clip
from fragmentforge.synthetic.world import clip_rng


def _truth(scene="hand something to"):
    return people_clip("people-0007", clip_rng(5, 7), 128, 128, 12, 30, scene)[1]


def test_ava_csv_and_action_list_round_trip(tmp_path):
    truth = _truth()
    rows = ava_rows(truth, "people-0007.mp4", keyframe_seconds(truth, per_second=2))
    assert len({r.person_id for r in rows}) >= 2 and len({r.timestamp for r in rows}) >= 3
    ava.write_csv(tmp_path / "a.csv", rows)
    back, problems = ava.read_csv(tmp_path / "a.csv", {a.id for a in action_list()})
    assert problems == [] and sorted(back, key=ava.format_row) == sorted(rows, key=ava.format_row)
    ava.write_csv(tmp_path / "b.csv", back)
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
    ava.write_action_list(tmp_path / "actions.pbtxt", action_list())
    assert ava.read_action_list(tmp_path / "actions.pbtxt") == sorted(action_list(), key=lambda a: a.id)


def test_malformed_ava_rows_are_quarantined_with_reasons_and_the_good_rows_go_on(tmp_path):
    good = "clip.mp4,1,0.100,0.200,0.300,0.900,3,0"
    lines = [good,
             "clip.mp4,1,0.500,0.200,0.300,0.900,3,1",  # x1 > x2
             "clip.mp4,1,0.100,0.200,1.300,0.900,3,1",  # outside [0, 1]
             "clip.mp4,1,0.100,0.200,0.300,0.900,999,1",  # unknown action
             "clip.mp4,1,0.100,0.200,0.300,0.900,3",  # a column missing
             "../../etc/passwd,1,0.100,0.200,0.300,0.900,3,1",  # escapes the video folder
             "/abs/clip.mp4,1,0.100,0.200,0.300,0.900,3,1",
             "clip.mp4,one,0.100,0.200,0.300,0.900,3,1",
             "clip.mp4,2,0.100,0.200,0.300,0.900,41,1"]
    (tmp_path / "bad.csv").write_text("\n".join(lines) + "\n")
    rows, problems = ava.read_csv(tmp_path / "bad.csv", {a.id for a in action_list()})
    assert [r.timestamp for r in rows] == [1.0, 2.0] and rows[1].action_id == 41
    reasons = {p.line: p.reason for p in problems}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8]
    assert "not inside [0, 1]" in reasons[2] and "not inside [0, 1]" in reasons[3]
    assert "not in the action list" in reasons[4] and "7 columns" in reasons[5]
    assert "escapes its folder" in reasons[6] and "escapes its folder" in reasons[7]
    assert "not a number" in reasons[8]
    assert all(p.text for p in problems)  # the raw row is kept for the quarantine record


def test_coco_keypoints_round_trip_and_bad_annotations_are_kept_apart(tmp_path):
    truth = _truth("hug")
    people = coco_people(truth, "people-0007.mp4")
    coco_keypoints.write(tmp_path / "k.json", people, {"people-0007.mp4": (128, 128)})
    back, problems = coco_keypoints.read(tmp_path / "k.json")
    assert problems == [] and len(back) == len(people) > 30
    assert [(p.frame_index, p.track_id, p.keypoints) for p in back] == [
        (p.frame_index, p.track_id, tuple((round(x, 2), round(y, 2), v) for x, y, v in p.keypoints)) for p in people]
    data = json.loads((tmp_path / "k.json").read_text())
    assert data["categories"][0]["keypoints"][0] == "nose" and len(data["categories"][0]["keypoints"]) == 17
    data["annotations"][0]["keypoints"] = data["annotations"][0]["keypoints"][:-3]
    data["annotations"][1]["bbox"] = [120, 0, 20, 10]
    data["annotations"][2]["keypoints"][2] = 7
    (tmp_path / "bad.json").write_text(json.dumps(data))
    back, problems = coco_keypoints.read(tmp_path / "bad.json")
    assert len(back) == len(people) - 3
    assert [p["annotation"] for p in problems] == [1, 2, 3]
    assert "17" in problems[0]["reason"] and "inside the 128x128" in problems[1]["reason"]
    assert "visibility" in problems[2]["reason"]


def test_an_ava_label_source_quarantines_bad_rows_and_keeps_each_videos_keyframes(tmp_path):
    from fragmentforge.sources import SourceContext
    from fragmentforge.sources.ava import Options, list_candidates

    videos = tmp_path / "videos"
    videos.mkdir()
    (videos / "kitchen.mp4").write_bytes(b"not probed here")
    ava.write_action_list(tmp_path / "actions.pbtxt", action_list())
    (tmp_path / "labels.csv").write_text("\n".join([
        "kitchen,902,0.100,0.200,0.400,0.900,3,0",
        "kitchen,902,0.100,0.200,0.400,0.900,23,0",
        "kitchen,903,0.500,0.200,0.800,0.900,1,1",
        "kitchen,903,0.500,0.200,1.800,0.900,1,1",  # box outside the frame
        "missing,902,0.100,0.200,0.400,0.900,3,0",  # no such video
        "../outside,902,0.100,0.200,0.400,0.900,3,0",
    ]) + "\n")
    context = SourceContext(root=tmp_path, synthetic_dir=tmp_path, download_dir=tmp_path / "downloads")
    found = {c.name: c for c in list_candidates(
        Options(name="ava", kind="ava", csv="labels.csv", actions="actions.pbtxt", root="videos"), context)}
    assert sorted(found) == ["kitchen.mp4", "labels.csv:line 4", "labels.csv:line 6", "missing"]
    assert "not inside [0, 1]" in found["labels.csv:line 4"].problem
    assert "escapes its folder" in found["labels.csv:line 6"].problem
    assert "no video file" in found["missing"].problem
    truth = json.loads(found["kitchen.mp4"].ground_truth.read_text())
    assert [k["second"] for k in truth["keyframes"]] == [902.0, 903.0]
    first = truth["keyframes"][0]["people"][0]
    assert [a["name"] for a in first["actions"]] == ["walk", "carry"] and first["box"] == [0.1, 0.2, 0.4, 0.9]


def test_the_people_world_ships_as_a_dataset_that_the_ava_source_reads(tmp_path):
    from dataclasses import replace

    from fragmentforge.config import SyntheticParams
    from fragmentforge.config.schema import PeopleWorldParams
    from fragmentforge.sources import SourceContext
    from fragmentforge.sources.ava import Options, list_candidates
    from fragmentforge.synthetic.people.clips import synthesize_people

    params = SyntheticParams(seed=3, num_clips=1, width=128, height=128, fps=12, min_seconds=2.0, max_seconds=2.5,
                             crf=18, people=PeopleWorldParams(num_clips=3))
    assert synthesize_people(replace(params, people=PeopleWorldParams(num_clips=0)), tmp_path / "none") == 0
    assert not (tmp_path / "none").exists()
    frames = synthesize_people(params, tmp_path)
    folder = tmp_path / "people"
    assert frames >= 3 * 24 and len(list((folder / "clips").glob("*.mp4"))) == 3
    context = SourceContext(root=tmp_path, synthetic_dir=tmp_path, download_dir=tmp_path / "downloads")
    found = list_candidates(Options(name="people", kind="ava", csv="people/ava.csv", actions="people/actions.pbtxt",
                                    root="people/clips"), context)
    assert [c.problem for c in found] == [None] * 3 and {c.name for c in found} == {
        "people-0000.mp4", "people-0001.mp4", "people-0002.mp4"}
    truth = json.loads(found[0].ground_truth.read_text())
    assert [k["second"] for k in truth["keyframes"]][:3] == [0.5, 1.0, 1.5]
    people, problems = coco_keypoints.read(folder / "keypoints.json")
    assert problems == [] and {p.video for p in people} == {c.name for c in found}
