"""The synthetic world: ground truth matches the decoded pixels; same seed, same bytes."""
import json

import av
import numpy as np
import pytest

from fragmentforge.config import SyntheticParams
from fragmentforge.layout import LABELS
from fragmentforge.synthetic.clips import clip_plan, synthesize
from fragmentforge.synthetic.actions import ACTIONS, VISUAL_SYNONYMS
from fragmentforge.synthetic.world import clip_rng, synthesize_clip
from fragmentforge.video.encode import write_h264, x264_instruction_sets
from tests.conftest import tree_digest

ALL_ACTIONS = SyntheticParams(seed=11, num_clips=len(ACTIONS), width=128, height=128, fps=10,
                              min_seconds=1.6, max_seconds=2.0, crf=18)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp("world") / "synthetic"
    synthesize(ALL_ACTIONS, out)
    return out


def _truths(world):
    return {p.stem: json.loads(p.read_text()) for p in sorted((world / "clips").glob("*.json"))}


def _decode(path):
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def test_every_action_is_rendered_once_with_its_template(world):
    truths = _truths(world)
    assert sorted(t["action"]["label"] for t in truths.values()) == sorted(ACTIONS)
    labels = json.loads((world / LABELS).read_text())
    assert {e["id"] for e in labels} == set(truths)
    for entry in labels:
        assert "[something]" not in entry["label"].lower()
        for name in entry["placeholders"]:
            assert name in entry["label"].lower()


def test_ground_truth_boxes_hold_the_object_colour_in_decoded_frames(world):
    checked = 0
    for clip_id, truth in _truths(world).items():
        frames = _decode(world / "clips" / f"{clip_id}.mp4")
        assert len(frames) == truth["num_frames"]
        colours = {o["name"]: np.array(o["rgb"], dtype=float) for o in truth["objects"]}
        for frame_truth, frame in zip(truth["frames"], frames):
            for obj in frame_truth["objects"]:
                if obj["box"] is None:
                    assert not obj["visible"] and obj["visibility"] == 0
                    continue
                x0, y0, x1, y1 = obj["box"]
                if obj["visibility"] < 0.6 or (x1 - x0) * (y1 - y0) < 36:
                    continue  # slivers are too small to survive 4:2:0 chroma subsampling
                distance = np.linalg.norm(frame.astype(float) - colours[obj["name"]], axis=-1)
                matches = distance < 60
                inside = matches[y0:y1, x0:x1].mean()
                # Shapes fill 40-100% of their box; markers and edges take some.
                assert inside > 0.3, (clip_id, frame_truth["index"], obj["name"], inside)
                outside = matches.copy()
                outside[max(0, y0 - 3):y1 + 3, max(0, x0 - 3):x1 + 3] = False
                assert outside.mean() < 0.01, (clip_id, frame_truth["index"], obj["name"])
                checked += 1
    assert checked > 500


def test_effects_follow_from_the_motion(world):
    by_action = {t["action"]["label"]: t for t in _truths(world).values()}

    def first_move(action):
        return next(iter(by_action[action]["effect"]["position_change"].values()))["direction"]

    assert first_move("move_left_to_right") == "right"
    assert first_move("move_right_to_left") == "left"
    assert first_move("falling") == "down"
    assert first_move("rising") == "up"
    assert first_move("towards_camera") == "closer to the camera"
    assert first_move("nothing_moving") == "stationary"
    assert first_move("camera_pan") == "left"  # the camera pans right: the object drifts left in view
    assert by_action["camera_pan"]["effect"]["camera_moved"]
    assert by_action["approaching"]["effect"]["distance_change"]["change"] == "closer"
    assert by_action["separating"]["effect"]["distance_change"]["change"] == "farther"
    assert by_action["entering"]["effect"]["count_change"] == {"start": 0, "end": 1, "delta": 1}
    assert by_action["leaving"]["effect"]["count_change"]["delta"] == -1
    assert by_action["covering"]["effect"]["count_change"] == {"start": 2, "end": 1, "delta": -1}
    assert by_action["putting_on"]["effect"]["completed"] is True
    assert by_action["failing_to_put_on"]["effect"]["completed"] is False
    rolled = next(iter(by_action["rolling"]["effect"]["position_change"].values()))["rotation_deg"]
    slid = next(iter(by_action["sliding"]["effect"]["position_change"].values()))["rotation_deg"]
    assert abs(rolled) > 90 and slid == 0


def test_visual_synonyms_are_symmetric_and_include_the_papers_pairs():
    for action, synonyms in VISUAL_SYNONYMS.items():
        for other in synonyms:
            assert action in VISUAL_SYNONYMS[other]
    assert "pulling_left_to_right" in VISUAL_SYNONYMS["pushing_left_to_right"]
    assert "sliding" in VISUAL_SYNONYMS["rolling"]
    assert "passing" in VISUAL_SYNONYMS["approaching"]


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    small = SyntheticParams(seed=3, num_clips=3, width=64, height=64, fps=8, min_seconds=1.0,
                            max_seconds=1.5, crf=20)
    a, b = synthesize(small, tmp_path / "a"), synthesize(small, tmp_path / "b")
    c = synthesize(SyntheticParams(**{**small.__dict__, "seed": 4}), tmp_path / "c")
    files = sorted(p.relative_to(a.out_dir) for p in a.out_dir.rglob("*") if p.is_file())
    assert len(files) == 7
    for rel in files:
        assert (a.out_dir / rel).read_bytes() == (b.out_dir / rel).read_bytes(), rel
    differ = [rel for rel in files if rel.suffix == ".mp4"
              and (a.out_dir / rel).read_bytes() != (c.out_dir / rel).read_bytes()]
    assert len(differ) == 3


def test_clip_lengths_come_from_params(world):
    for truth in _truths(world).values():
        assert ALL_ACTIONS.min_seconds * ALL_ACTIONS.fps - 1 <= truth["num_frames"] <= ALL_ACTIONS.max_seconds * ALL_ACTIONS.fps + 1
    assert [a for _, a in clip_plan(SyntheticParams(**{**ALL_ACTIONS.__dict__, "actions": ("rolling", "sliding"),
                                                      "num_clips": 3}))] == ["rolling", "sliding", "rolling"]


def test_same_bytes_in_a_process_that_already_encoded_other_video(tmp_path):
    """x264's AVX-512 kernels once made the output depend on what the process had encoded
    before (stale memory); the encoder must give the same bytes as plain C, every time."""
    small = SyntheticParams(seed=3, num_clips=2, width=64, height=64, fps=8, min_seconds=1.0,
                            max_seconds=1.5, crf=20)
    noise = np.random.default_rng(1)
    runs = []
    for k in range(4):
        write_h264(tmp_path / f"noise{k}.mp4", [noise.integers(0, 256, (128, 128, 3), dtype=np.uint8)
                                               for _ in range(20)], 10, 18)
        runs.append(tree_digest(synthesize(small, tmp_path / f"run{k}").out_dir))
    assert all(run == runs[0] for run in runs[1:])
    if x264_instruction_sets() is None:
        return  # off x86-64 x264 picks its own SIMD: no plain-C identity is promised
    rng = clip_rng(small.seed, 0)
    n_frames = max(8, round(float(rng.uniform(small.min_seconds, small.max_seconds)) * small.fps))
    frames, _ = synthesize_clip("c", clip_plan(small)[0][1], rng, 64, 64, small.fps, n_frames)
    write_h264(tmp_path / "plain_c.mp4", frames, small.fps, small.crf, asm="0")
    first = tmp_path / "run0" / "clips" / f"{clip_plan(small)[0][0]}.mp4"
    assert first.read_bytes() == (tmp_path / "plain_c.mp4").read_bytes()
