"""ActionArt's benchmark against the people world's own per-frame truth (not the AVA rows and
keypoints the questions were built from): postures, actions done and not done, their moments
and their order."""
from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from fragmentforge.actionart.benchmark import POSTURES, TAGS, questions
from fragmentforge.formats.coco_keypoints import PersonKeypoints
from fragmentforge.microactions.questions import option
from fragmentforge.motion.extract import CLIP_SET_ID
from fragmentforge.sources.ava import ground_truth
from fragmentforge.synthetic.people.annotations import action_list, ava_rows, coco_people, keyframe_seconds
from fragmentforge.synthetic.people.vocabulary import BY_NAME
from fragmentforge.synthetic.people.world import OBJECT_SCENES, PAIR_SCENES, people_clip
from fragmentforge.synthetic.world import clip_rng
from fragmentforge.tasks.context import KeySet, VideoContext

FPS, FRAMES = 12, 30
BY_OPTION = {option(name): name for name in BY_NAME}


def _clip(index: int, scene):
    _, full = people_clip(f"v{index}", clip_rng(11, index), 128, 128, FPS, FRAMES, scene)
    actions = {a.id: a for a in action_list()}
    rows = ava_rows(full, f"v{index}", keyframe_seconds(full, 2))
    poses = [PersonKeypoints(f"v{index}", p.frame_index, p.track_id, p.keypoints, p.bbox)
             for p in coco_people(full, f"v{index}.mp4")]
    truth = json.loads(json.dumps(ground_truth(f"v{index}", rows, actions, poses)))
    clip = KeySet(CLIP_SET_ID, "normal", "clip", FRAMES, tuple(float(i) for i in range(FRAMES)),
                  tuple(f"f{index}/{i}.jpg" for i in range(FRAMES)), tuple(i / FPS for i in range(FRAMES)))
    ctx = VideoContext(f"v{index}", "test", None, None, [], truth, [clip], {})
    return full, ctx


@pytest.fixture(scope="module")
def asked():
    out = []
    for index, scene in enumerate([None, None, None, *OBJECT_SCENES[:4], *PAIR_SCENES[:4]] * 2):
        full, ctx = _clip(index, scene)
        out += [(full, item) for item in questions(ctx, 8, random.Random(index))]
    return out


def _shown(item) -> int:
    """The source frame index of the frame the question names ("In frame k, ...")."""
    k = int(item["question"].split("In frame ")[1].split(",")[0])
    return int(item["frames"][k - 1].split("/")[1].split(".")[0])


def _doing(full, person: int, frame: int) -> set:
    return {a["name"] for a in full["frames"][frame]["people"][person]["actions"]}


def test_every_tag_is_asked_with_four_distinct_options(asked):
    tags = Counter(item["tag"] for _, item in asked)
    assert set(tags) == set(TAGS), tags
    for _, item in asked:
        assert len({item["correct"], *item["distractors"]}) == 4 and len(item["frames"]) == 8


def test_postures_match_the_frame_shown(asked):
    checked = agree = 0
    for full, item in asked:
        if item["tag"] != "GS":
            continue
        frame = _shown(item)
        names = {POSTURES[a] for a in _doing(full, item["person_id"], frame) if a in POSTURES}
        checked += 1
        agree += names == {item["correct"]}
    assert checked >= 10 and agree == checked, (agree, checked)  # asked on keyframe frames only


def test_recognised_actions_are_done_in_the_frame_and_distractors_are_not(asked):
    checked = 0
    for full, item in asked:
        if item["tag"] not in ("AR", "HOI"):
            continue
        doing = _doing(full, item["person_id"], _shown(item))
        assert BY_OPTION[item["correct"]] in doing, item
        assert not {BY_OPTION[d] for d in item["distractors"]} & doing, item
        checked += 1
    assert checked >= 10


def test_moments_and_orders_follow_the_frames(asked):
    moments = orders = 0
    for full, item in asked:
        person = item["person_id"]
        if item["tag"] == "TL":
            phrase = item["question"].split("At which moment are they ")[1].rstrip("?")
            action = next(name for name, a in BY_NAME.items() if a.phrase == phrase)
            second = float(item["correct"].split()[2])
            assert action in _doing(full, person, round(second * FPS)), item
            for wrong in item["distractors"]:
                assert action not in _doing(full, person, round(float(wrong.split()[2]) * FPS)), item
            moments += 1
        if item["tag"] == "AS":
            first, then = item["correct"].split(", then ")
            a = BY_OPTION[first]
            b = next(name for name, x in BY_NAME.items() if x.phrase == then)
            starts = {n: min(f for f in range(FRAMES) if n in _doing(full, person, f)) for n in (a, b)}
            assert starts[a] < starts[b], item
            orders += 1
    assert moments >= 5 and orders >= 5
