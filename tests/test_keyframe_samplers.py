"""Train-mode keyframe samplers (SF²T Table 6): what each picks, and that the choice moves only
the train sets."""
import numpy as np
import pytest
import yaml

from fragmentforge import plugins
from fragmentforge.config import ConfigError, KeyframeParams, load_params
from fragmentforge.keyframes import samplers
from fragmentforge.motion import mgsampler
from fragmentforge.video.encode import write_h264
from tests.test_keyframes import PARAMS, moving_square, run

NAMES = plugins.names("fragmentforge.keyframes.samplers")


def view(scores, keys=()):
    flags = np.zeros(len(scores) + 1, dtype=bool)
    flags[list(keys)] = True
    return samplers.StreamView(np.asarray(scores, dtype=float), flags)


def test_the_four_samplers_of_table_6_are_there():
    assert NAMES == ["keyframe", "motion", "random", "uniform"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n", [1, 3, 8, 40])
def test_every_sampler_picks_n_distinct_frames_in_order_and_repeats_with_its_seed(name, n):
    rng_scores = np.random.default_rng(7)
    v = view(rng_scores.random(39) ** 3, keys=[0, 12])
    sampler = samplers.load(name)
    picks = sampler.pick(v, n, np.random.default_rng(3))
    assert picks == sorted(set(picks)) and len(picks) == n and 0 <= picks[0] and picks[-1] < v.length
    assert picks == sampler.pick(v, n, np.random.default_rng(3))


def test_motion_is_mgsamplers_train_mode():
    scores = np.random.default_rng(1).random(30)
    for seed in range(5):
        assert (samplers.load("motion").pick(view(scores), 4, np.random.default_rng(seed))
                == mgsampler.pick_frames(mgsampler.cumulative_motion(scores),
                                         mgsampler.targets(4, "train", np.random.default_rng(seed))))


def test_uniform_takes_one_frame_from_each_equal_segment():
    for seed in range(20):
        picks = samplers.load("uniform").pick(view(np.ones(39)), 4, np.random.default_rng(seed))
        assert [p // 10 for p in picks] == [0, 1, 2, 3]


def test_keyframe_takes_codec_key_frames_then_the_sharpest_scene_changes():
    scores = np.full(29, 0.1)
    scores[[9, 19]] = [5.0, 9.0]  # cuts into frames 10 and 20, the second one sharper
    keyframe = samplers.load("keyframe")
    assert keyframe.pick(view(scores, keys=[0]), 3, np.random.default_rng(0)) == [0, 10, 20]
    assert keyframe.pick(view(scores, keys=[0]), 2, np.random.default_rng(0)) == [0, 20]
    four = keyframe.pick(view(scores, keys=[0]), 4, np.random.default_rng(0))  # one drawn at random
    assert {0, 10, 20} < set(four)


def test_an_unknown_sampler_is_refused_naming_the_folder(tmp_path):
    from tests.conftest import REPO

    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    raw["keyframes"]["train_sampler"] = "magic"
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match="keyframes.train_sampler: must name a module of .*keyframes/samplers"):
        load_params(path)


def test_the_sampler_changes_the_train_sets_only(tmp_path):
    frames = moving_square(40, lambda i: i % 3 == 0)
    for i in range(25, 40):  # a cut at frame 25: the background turns bright
        frames[i][frames[i] == 60] = 200
    path = tmp_path / "cut.mp4"
    write_h264(path, frames, fps=10)
    by_sampler = {}
    for name in NAMES:
        params = KeyframeParams(**{**PARAMS.__dict__, "train_sampler": name})
        _, sets, status = run(tmp_path / name, {"cut": (path, "pyav")}, params)
        assert status["cut"]["status"] == "ok"
        by_sampler[name] = {s["set_id"]: s["stream_indices"] for s in sets if s["variant"] == "normal"}
    tests = [{k: v for k, v in sets.items() if not k.split("-")[-1].startswith("train")} for sets in by_sampler.values()]
    assert all(t == tests[0] for t in tests), "test and window sets do not depend on the train sampler"
    trains = {name: sorted(v for k, v in sets.items() if "-train" in k) for name, sets in by_sampler.items()}
    assert len({repr(t) for t in trains.values()}) == len(NAMES), "each sampler draws its own train sets"
    for picks in trains["keyframe"]:  # the first frame (the codec's I-frame) and the cut, in every set
        assert picks[0] == 0 and 25 in picks


def test_every_keyframe_param_that_shapes_the_output_is_a_param_of_the_stage():
    """DVC (and Dagster's code version) rerun keyframe_sets only for params its stage lists: one
    left out (train_sampler was, at first) makes an ablation arm silently reuse the default's sets."""
    from dataclasses import fields

    from tests.conftest import REPO

    listed = set(yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]["keyframe_sets"]["params"])
    runtime_only = {"workers", "time_limit_s"}  # how fast, not what comes out
    missing = {f"keyframes.{f.name}" for f in fields(KeyframeParams) if f.name not in runtime_only} - listed
    assert not missing, f"add to keyframe_sets' params in dvc.yaml: {sorted(missing)}"
