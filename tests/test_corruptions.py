"""Tarsier2's four clip corruptions do exactly what they say, checked on frame positions."""
from __future__ import annotations

import numpy as np
import pytest

import fragmentforge.descriptions.corruptions as corruptions
from fragmentforge.descriptions.corruptions import rng_for
from fragmentforge.plugins import load_all

POOL = 32
SHOWN = [int(i) for i in np.round(np.linspace(0, POOL - 1, 8)).astype(int)]  # 8 of 32 frames, evenly
SEEDS = range(40)


def modules():
    return load_all(corruptions)


def test_the_four_corruptions_are_plugins():
    found = modules()
    assert sorted(found) == ["clip_cropping", "clip_reversing", "clip_switching", "down_sampling"]
    assert {m.INDUCES for m in found.values()} == {"temporal", "incomplete"}


def test_clip_switching_swaps_two_of_four_clips_and_nothing_else():
    corrupt = modules()["clip_switching"].corrupt
    swaps = set()
    for seed in SEEDS:
        out = corrupt(POOL, SHOWN, np.random.default_rng(seed))
        a, b = out.meta["swapped"]
        clips = [list(c) for c in np.array_split(SHOWN, 4)]
        clips[a], clips[b] = clips[b], clips[a]
        assert out.frames == [int(i) for c in clips for i in c]
        assert sorted(out.frames) == SHOWN and out.frames != SHOWN
        swaps.add((a, b))
    assert len(swaps) == 6  # every pair of the four clips comes up


def test_clip_reversing_reverses_one_run_of_half_to_all_frames():
    corrupt = modules()["clip_reversing"].corrupt
    lengths = set()
    for seed in SEEDS:
        out = corrupt(POOL, SHOWN, np.random.default_rng(seed))
        start, end = out.meta["reversed"]
        assert 4 <= end - start <= 8
        assert out.frames[:start] == SHOWN[:start] and out.frames[end:] == SHOWN[end:]
        assert out.frames[start:end] == SHOWN[start:end][::-1]
        lengths.add(end - start)
    assert lengths == {4, 5, 6, 7, 8}


def test_clip_cropping_resamples_n_frames_inside_half_the_video():
    corrupt = modules()["clip_cropping"].corrupt
    for seed in SEEDS:
        out = corrupt(POOL, SHOWN, np.random.default_rng(seed))
        first, end = out.meta["window"]
        assert end - first == POOL // 2 and 0 <= first and end <= POOL
        assert len(out.frames) == len(SHOWN) and out.frames == sorted(set(out.frames))
        assert out.frames[0] == first and out.frames[-1] == end - 1  # spread over the whole half
    with pytest.raises(ValueError, match="half the video"):
        corrupt(10, [0, 1, 2, 3, 4, 5, 6, 7], np.random.default_rng(0))


def test_down_sampling_drops_half_the_frames_and_keeps_the_order():
    corrupt = modules()["down_sampling"].corrupt
    for seed in SEEDS:
        out = corrupt(POOL, SHOWN, np.random.default_rng(seed))
        assert len(out.meta["dropped"]) == 4 and len(out.frames) == 4
        assert out.frames == [f for k, f in enumerate(SHOWN) if k not in out.meta["dropped"]]


def test_seeded_per_video_and_kind_and_bad_input_is_refused():
    for name, module in modules().items():
        one = module.corrupt(POOL, SHOWN, rng_for(7, "video-a", name))
        assert one == module.corrupt(POOL, SHOWN, rng_for(7, "video-a", name))
        with pytest.raises(ValueError):
            module.corrupt(POOL, [5, 3, 9, 12], np.random.default_rng(0))  # not in time order
        with pytest.raises(ValueError):
            module.corrupt(POOL, [0, 1, 2, POOL], np.random.default_rng(0))  # outside the pool
    draws = {tuple(modules()["down_sampling"].corrupt(POOL, SHOWN, rng_for(7, f"v{i}", "down_sampling")).frames)
             for i in range(10)}
    assert len(draws) > 1  # another video, another draw
