"""The people world: keypoints and boxes agree with the decoded pixels; labels are concurrent
where they should be; the same seed gives the same clip."""
import av
import numpy as np
import pytest

from fragmentforge.synthetic.people.skeleton import COCO_KEYPOINTS
from fragmentforge.synthetic.people.vocabulary import BY_NAME, CATEGORIES, SIMILAR, VOCABULARY, similar
from fragmentforge.synthetic.people.world import OBJECT_SCENES, PAIR_SCENES, people_clip
from fragmentforge.synthetic.world import clip_rng
from fragmentforge.video.encode import write_h264

SCENES = (None, None, "hug", "carry", "pick up", "throw", "push an object", "hand something to", "wave at",
          "walk away from")


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("people")
    out = []
    for index, scene in enumerate(SCENES):
        frames, truth = people_clip(f"people-{index}", clip_rng(3, index), 128, 128, 12, 30, scene)
        path = folder / f"people-{index}.mp4"
        write_h264(path, frames, 12, 18)
        with av.open(str(path)) as container:
            decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
        out.append((truth, decoded))
    return out


# The colour a keypoint's pixel shows: its body part's (a joint, either limb's).
PART_COLOURS = {"nose": ("skin",), "eye": ("skin",), "ear": ("skin",), "shoulder": ("shirt", "sleeve"),
                "elbow": ("sleeve",), "wrist": ("sleeve", "skin"), "hip": ("shirt", "trousers"), "knee": ("trousers",),
                "ankle": ("trousers", "shoes")}


def _colours(person: dict) -> dict:
    shirt = np.array(person["rgb"], dtype=float)
    return {"shirt": shirt, "sleeve": (shirt * 0.7).astype(int).astype(float), "skin": np.array(person["skin"], float),
            "trousers": np.array(person["trousers"], float), "shoes": np.array([30.0, 30.0, 30.0])}


def _keypoints_matching(clips, shift: int = 0) -> tuple[float, int, int]:
    """(share of visible keypoints whose decoded pixel shows their part's colour, checked, hidden)."""
    ok = checked = hidden = 0
    for truth, decoded in clips:
        assert len(decoded) == truth["num_frames"]
        people = {p["person_id"]: _colours(p) for p in truth["people"]}
        for frame_truth, frame in zip(truth["frames"], decoded):
            for person in frame_truth["people"]:
                assert len(person["keypoints"]) == len(COCO_KEYPOINTS)
                for name, (x, y, v) in zip(COCO_KEYPOINTS, person["keypoints"]):
                    hidden += v == 1
                    col, row = int(x) + shift, int(y) - shift
                    if v != 2 or not (0 <= col < 128 and 0 <= row < 128):
                        continue
                    wanted = [people[person["person_id"]][c] for c in PART_COLOURS[name.split("_")[-1]]]
                    ok += min(np.linalg.norm(frame[row, col].astype(float) - w) for w in wanted) < 40
                    checked += 1
    return ok / checked, checked, hidden


def test_visible_keypoints_show_their_body_part_in_the_decoded_frames(clips):
    share, checked, hidden = _keypoints_matching(clips)
    assert checked > 3000 and hidden > 100  # some are hidden: profiles, overlaps, objects in hand
    assert share > 0.97, share  # H.264's 4:2:0 chroma blurs the thinnest limbs a little
    shifted, _, _ = _keypoints_matching(clips, shift=4)
    assert shifted < 0.5, shifted  # the check has teeth: 4 pixels off, most keypoints miss


def test_boxes_hold_their_person_and_the_shirt_colour_is_nowhere_else(clips):
    checked = 0
    for truth, decoded in clips:
        shirts = {p["person_id"]: np.array(p["rgb"], dtype=float) for p in truth["people"]}
        for frame_truth, frame in zip(truth["frames"], decoded):
            for person in frame_truth["people"]:
                if person["box"] is None:
                    continue
                x0, y0, x1, y1 = person["box"]
                assert 0 <= x0 < x1 <= 128 and 0 <= y0 < y1 <= 128
                matches = np.linalg.norm(frame.astype(float) - shirts[person["person_id"]], axis=-1) < 45
                if matches[y0:y1, x0:x1].sum() < 4:
                    continue  # the torso hidden behind someone
                outside = matches.copy()
                outside[max(0, y0 - 2):y1 + 2, max(0, x0 - 2):x1 + 2] = False
                assert outside.sum() <= 2, (truth["id"], frame_truth["index"], person["person_id"], outside.sum())
                checked += 1
    assert checked > 300


def test_actions_are_concurrent_across_categories_and_change_inside_the_clip(clips):
    concurrent, changes = 0, 0
    for truth, _ in clips:
        for person in truth["people"]:
            timeline = [next(p for p in f["people"] if p["person_id"] == person["person_id"])["actions"]
                        for f in truth["frames"]]
            for actions in timeline:
                movement = [a for a in actions if a["category"] == "person movement"]
                assert len(movement) == 1  # always exactly one movement
                concurrent += len({a["category"] for a in actions}) > 1
            names = [tuple(a["name"] for a in actions) for actions in timeline]
            changes += sum(a != b for a, b in zip(names, names[1:]))
    assert concurrent > 100 and changes > 20


def test_scenes_label_what_they_show(clips):
    labelled = {name for truth, _ in clips for f in truth["frames"] for p in f["people"] for a in p["actions"]
                for name in [a["name"]]}
    for scene in SCENES[2:]:
        assert scene in labelled, scene
    for truth, _ in clips:
        for f in truth["frames"]:
            for p in f["people"]:
                for a in p["actions"]:
                    if a["category"] == "person interaction":
                        assert a["target"] is not None and a["target"] != p["person_id"]


def test_the_same_seed_draws_the_same_clip():
    a_frames, a_truth = people_clip("x", clip_rng(9, 4), 128, 128, 12, 20, "hug")
    b_frames, b_truth = people_clip("x", clip_rng(9, 4), 128, 128, 12, 20, "hug")
    assert a_truth == b_truth and all(np.array_equal(a, b) for a, b in zip(a_frames, b_frames))


def test_vocabulary_covers_the_three_categories_with_a_similarity_map():
    assert {a.category for a in VOCABULARY} == set(CATEGORIES)
    assert len({a.id for a in VOCABULARY}) == len(VOCABULARY)
    for pair in (("carry", "lift"), ("sit", "crouch"), ("push an object", "pull an object")):
        assert BY_NAME[pair[1]] in similar(BY_NAME[pair[0]])
    assert all(name not in others for name, others in SIMILAR.items())
    assert set(OBJECT_SCENES) | set(PAIR_SCENES) <= set(BY_NAME)
