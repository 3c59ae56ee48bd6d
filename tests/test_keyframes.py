"""Keyframe sets: motion-guided picks, speed variants, decoding fallbacks and time limits."""
import json
import os
import threading
from fractions import Fraction

import av
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fragmentforge.config import KeyframeParams
from fragmentforge.ingest import MANIFEST_SCHEMA
from fragmentforge.layout import MANIFEST
from fragmentforge.keyframes.node import extract_keyframe_sets
from fragmentforge.motion import mgsampler
from fragmentforge.video.encode import write_h264

PARAMS = KeyframeParams(set_sizes=(3, 4, 5), train_sets_per_size=3, frame_short_side=64, seed=1,
                        time_limit_s=30, workers=2)


def moving_square(n_frames, moving, size=64):
    """Frames of a red square on grey that moves only on the frames where moving(i) is true."""
    x, frames = 4.0, []
    for i in range(n_frames):
        if moving(i):
            x += 1.5
        frame = np.full((size, size, 3), 60, np.uint8)
        frame[24:40, int(x):int(x) + 12] = (240, 60, 60)
        frames.append(frame)
    return frames


def write_av1(path, frames, fps=10):
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libsvtav1", rate=Fraction(fps, 1))
        stream.width, stream.height, stream.pix_fmt = frames[0].shape[1], frames[0].shape[0], "yuv420p"
        for rgb in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def make_raw(tmp_path, videos):
    """A raw folder with a manifest listing `videos` as {video_id: (path, decoder)}."""
    raw = tmp_path / "raw"
    raw.mkdir()
    rows = []
    for video_id, (path, decoder) in videos.items():
        row = {f.name: None for f in MANIFEST_SCHEMA}
        row.update(input_id=f"t:{video_id}", video_id=video_id, status="ok", path=str(path), width=64,
                   height=64, fps=10.0, decoder=decoder)
        rows.append(row)
    pq.write_table(pa.Table.from_pylist(rows, schema=MANIFEST_SCHEMA), raw / MANIFEST)
    return raw


def run(tmp_path, videos, params=PARAMS):
    tmp_path.mkdir(exist_ok=True)
    result = extract_keyframe_sets(params, tmp_path, make_raw(tmp_path, videos), tmp_path / "frames")
    sets = pq.read_table(result.keyframes).to_pylist()
    status = {s["video_id"]: s for s in pq.read_table(result.status).to_pylist()}
    return result, sets, status


def test_picks_follow_motion_and_spread_on_constant_motion(tmp_path):
    second_half = tmp_path / "late.mp4"
    write_h264(second_half, moving_square(40, lambda i: i >= 20), fps=10)
    steady = tmp_path / "steady.mp4"
    write_h264(steady, moving_square(40, lambda i: True), fps=10)
    _, sets, status = run(tmp_path, {"late": (second_half, "decord"), "steady": (steady, "decord")})
    assert status["late"]["status"] == status["steady"]["status"] == "ok"
    late = [p for s in sets if s["video_id"] == "late" and s["variant"] == "normal" and s["mode"] != "window"
            for p in s["frame_positions"]]
    assert sum(p >= 20 for p in late) / len(late) > 0.8
    for s in sets:
        if s["video_id"] == "steady" and s["variant"] == "normal" and s["mode"] == "test":
            uniform = [(2 * k + 1) / (2 * s["n"]) * 39 for k in range(s["n"])]
            assert np.max(np.abs(np.array(s["frame_positions"]) - uniform)) <= 2.5, s


def test_test_mode_is_deterministic_and_train_mode_follows_the_seed():
    scores = np.random.default_rng(0).random(50)
    assert mgsampler.sample(scores, 5, "test") == mgsampler.sample(scores, 5, "test")
    a = mgsampler.sample(scores, 5, "train", np.random.default_rng(3))
    assert a == mgsampler.sample(scores, 5, "train", np.random.default_rng(3))
    draws = {tuple(mgsampler.sample(scores, 5, "train", np.random.default_rng(s))) for s in range(20)}
    assert len(draws) > 5


def test_sets_hold_distinct_frames_even_when_motion_is_one_spike():
    scores = np.zeros(30)
    scores[10] = 100.0
    picks = mgsampler.sample(scores, 5, "test")
    assert len(set(picks)) == 5 and picks == sorted(picks)
    with pytest.raises(ValueError):
        mgsampler.sample(np.ones(2), 5, "test")


def test_speed_variants_have_twice_and_half_the_frames_and_a_still(tmp_path):
    clip = tmp_path / "clip.mp4"
    write_h264(clip, moving_square(30, lambda i: True), fps=10)
    _, sets, status = run(tmp_path, {"clip": (clip, "decord")})
    counts = json.loads(status["clip"]["frames_per_variant"])
    assert counts == {"normal": 30, "slow": 59, "fast": 15, "still": 30}
    windows = {s["variant"]: s for s in sets if s["mode"] == "window" and s["n"] == 5}
    steps = {v: np.diff(s["frame_positions"]).tolist() for v, s in windows.items()}
    assert steps == {"normal": [2.0] * 4, "slow": [1.0] * 4, "fast": [4.0] * 4, "still": [0.0] * 4}
    slow_frames = {p for p in windows["slow"]["frame_paths"]}
    assert all((tmp_path / p).is_file() for p in slow_frames)


def test_too_short_is_quarantined_and_av1_falls_back_to_pyav(tmp_path):
    short = tmp_path / "short.mp4"
    write_h264(short, moving_square(2, lambda i: True), fps=10)
    av1 = tmp_path / "av1.mp4"
    write_av1(av1, moving_square(20, lambda i: True))
    h264 = tmp_path / "h264.mp4"
    write_h264(h264, moving_square(20, lambda i: True), fps=10)
    decord_first = KeyframeParams(**{**PARAMS.__dict__, "decoder": "decord"})
    _, sets, status = run(tmp_path, {"short": (short, "decord"), "av1": (av1, "decord"), "h264": (h264, "decord")},
                          decord_first)
    assert status["short"]["status"] == "quarantined"
    assert "only 2 decodable frames" in status["short"]["reason"]
    assert status["av1"]["status"] == "ok" and status["av1"]["backend"] == "pyav"
    assert status["av1"]["frames_decoded"] == 20
    assert status["h264"]["backend"] == "decord" and status["h264"]["frames_decoded"] == 20
    by_backend = {}
    for s in sets:
        if s["set_id"] == "normal-n5-test":
            by_backend[s["video_id"]] = s["frame_positions"]
    # Same motion, nearly the same picks, whichever codec and decoder (artefacts differ).
    assert np.max(np.abs(np.array(by_backend["av1"]) - by_backend["h264"])) <= 1


def test_a_hanging_decode_is_killed_and_the_others_finish(tmp_path):
    good = tmp_path / "good.mp4"
    write_h264(good, moving_square(20, lambda i: True), fps=10)
    fifo = tmp_path / "stalls.mp4"
    os.mkfifo(fifo)
    release = threading.Event()

    def feed():
        with open(fifo, "wb") as pipe:
            pipe.write(good.read_bytes()[:2048])
            pipe.flush()
            release.wait(60)

    threading.Thread(target=feed, daemon=True).start()
    params = KeyframeParams(**{**PARAMS.__dict__, "time_limit_s": 3.0})
    try:
        result, _, status = run(tmp_path, {"good": (good, "pyav"), "stalls": (fifo, "pyav")}, params)
    finally:
        release.set()
    assert status["good"]["status"] == "ok"
    assert status["stalls"]["status"] == "quarantined" and "time limit of 3 s" in status["stalls"]["reason"]
    assert not (tmp_path / "frames" / "stalls").exists()


def test_stored_frames_keep_the_source_colours_with_either_decoder(tmp_path):
    from PIL import Image

    clip = tmp_path / "clip.mp4"
    write_h264(clip, moving_square(12, lambda i: False), fps=10)  # the square stays at x = 4
    images = {}
    for decoder in ("pyav", "decord"):
        params = KeyframeParams(**{**PARAMS.__dict__, "decoder": decoder})
        _, sets, status = run(tmp_path / decoder, {"clip": (clip, "decord")}, params)
        assert status["clip"]["backend"] == decoder
        path = next(s for s in sets if s["set_id"] == "normal-n3-test")["frame_paths"][1]
        images[decoder] = np.asarray(Image.open(tmp_path / decoder / path)).astype(int)
    for image in images.values():
        assert np.abs(image[30, 10] - (240, 60, 60)).max() < 25  # inside the square
        assert np.abs(image[5, 40] - (60, 60, 60)).max() < 12  # background
    assert np.abs(images["pyav"] - images["decord"]).mean() < 6


@pytest.mark.parametrize("scaler", ["area", "bilinear", "bicubic"])
def test_downscaled_frames_are_anti_aliased(tmp_path, scaler):
    """One-pixel stripes shrunk 4x and 3.6x must come out about evenly grey. Scalers that
    sample instead of averaging fail: swscale's fast bilinear leaves bands (std > 60),
    point sampling bands or a flat black or white."""
    from fragmentforge.video.decode import pyav_frames

    stripes = np.zeros((256, 256, 3), np.uint8)
    stripes[:, ::2] = 255
    clip = tmp_path / "stripes.mp4"
    write_h264(clip, [stripes] * 3, fps=10, crf=0)  # lossless, so the stripes survive encoding
    for side in (64, 72):
        frame = next(pyav_frames(str(clip), (side, side), 10.0, scaler=scaler))
        luma = frame.luma.astype(float)[8:-8, 8:-8]  # away from the edges' padding
        assert abs(luma.mean() - 127.5) < 12, f"{scaler} at {side}: mean {luma.mean():.1f}"
        assert luma.std() < 20, f"{scaler} at {side}: bands of std {luma.std():.1f}"


@pytest.mark.parametrize("mode", ["fast", "faithful"])
def test_batched_scores_match_frame_by_frame_scores(tmp_path, monkeypatch, mode):
    """The decode pass scores frames in batches; across batch edges (37 frames, batches of
    5) every adjacent and skip-one score must equal the one computed pair by pair."""
    from fragmentforge.motion import extract
    from fragmentforge.motion.motion import one_minus_ssim, shrink
    from fragmentforge.video.decode import pyav_frames

    clip = tmp_path / "clip.mp4"
    write_h264(clip, moving_square(37, lambda i: i % 3 != 0), fps=10)
    params = KeyframeParams(**{**PARAMS.__dict__, "score_mode": mode})
    job = extract.KeyframeJob(video_id="clip", path=str(clip), width=64, height=64, fps=10.0, decoder="decord",
                              frames_dir=str(tmp_path), frames_ref="f", params=params)
    monkeypatch.setattr(extract, "BATCH", 5)
    with open(tmp_path / "spill", "w+b") as spill:
        _, _, times, adjacent, skip_one, _ = extract._decode_pass(job, (64, 64), spill, "pyav")
    frames = list(pyav_frames(str(clip), (64, 64), 10.0, full_luma=mode == "faithful"))
    if mode == "faithful":
        features = [f.luma for f in frames]
        score = one_minus_ssim
    else:
        features = [shrink(f.luma, params.fast_score_width) for f in frames]
        score = lambda a, b: float(np.abs(a - b).mean())  # noqa: E731
    assert len(times) == 37 and len(adjacent) == 36 and len(skip_one) == 35
    assert np.allclose(adjacent, [score(a, b) for a, b in zip(features, features[1:])], rtol=1e-6, atol=1e-9)
    assert np.allclose(skip_one, [score(a, b) for a, b in zip(features, features[2:])], rtol=1e-6, atol=1e-9)
    assert max(adjacent) > 0
