"""Keyframe sets for one video, computed in one sequential decoding pass.

Runs inside a time-limited worker process. Every decoded frame is scaled to the output
size and spilled to a temporary file, so memory does not grow with video length; once
the motion scores are known, only the picked frames are read back and written as JPEG.
"""
from __future__ import annotations

import tempfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from av.video.reformatter import VideoReformatter
from PIL import Image

from fragmentforge.config import KeyframeParams
from fragmentforge.keyframes import samplers
from fragmentforge.motion import mgsampler
from fragmentforge.motion.motion import mean_abs_differences, one_minus_ssim, shrink
from fragmentforge.motion.variants import INTERPOLATORS, VARIANTS, FrameStream, speed_streams
from fragmentforge.video.decode import YUV420, output_size, sequential_frames, to_rgb


@dataclass(frozen=True)
class KeyframeJob:
    video_id: str
    path: str
    width: int
    height: int
    fps: float
    decoder: str  # from the ingest probe: "decord" where decord reads the file, else "pyav"
    frames_dir: str  # where <video_id>/p<half-frame>.jpg files go
    frames_ref: str  # how frame paths are written in the table (relative to the project)
    params: KeyframeParams
    label_seconds: tuple[float, ...] = ()  # keyframe seconds with labels (AVA): a window set around each
    described: bool = False  # a manifest describes it (descriptions/manifest.py): it gets a clip set


LABEL_MODE = "label"
CLIP_MODE, CLIP_SET_ID = "clip", "normal-clip"  # a labelled video's frames (MA-Bench) or a described one's


def label_set_id(second: float) -> str:
    """The id of the window set around a labelled keyframe second (the FineBench task looks it up)."""
    return f"normal-label-{second:g}s"


class TooShort(Exception):
    pass


# Frames per spill write and per vectorized score: amortizes numpy's per-call cost, which
# otherwise rivals the scaling itself on small frames.
BATCH = 32


def _decode_pass(job: KeyframeJob, size: tuple[int, int], spill, prefer: str):
    """Spill frames; return (backend, layout, timestamps, adjacent scores, skip-one scores,
    codec key-frame flags)."""
    p = job.params
    faithful = p.score_mode == "faithful"
    backend, frames = sequential_frames(job.path, size, job.fps, prefer, full_luma=faithful,
                                         scaler=p.frame_scaler)
    times, adjacent, skip_one, keys, layout = [], [], [], [], None
    pixels, lumas = [], []
    tail = []  # features of the two frames before this batch

    def flush():
        nonlocal tail
        spill.write(np.stack(pixels).tobytes())
        new = list(lumas) if faithful else list(shrink(np.stack(lumas), p.fast_score_width))
        features = tail + new
        # Only pairs that end on a new frame: adjacent ones start at the last old frame;
        # skip-one ones at the second-last, which is where `features` starts.
        recent = features[max(len(tail) - 1, 0):]
        adjacent.extend(_scores(recent[:-1], recent[1:], faithful))
        skip_one.extend(_scores(features[:-2], features[2:], faithful))
        tail = features[-2:]
        pixels.clear()
        lumas.clear()

    for frame in frames:
        layout = frame.layout
        pixels.append(frame.pixels)
        lumas.append(frame.luma)
        times.append(frame.time_s)
        keys.append(frame.key)
        if len(pixels) == BATCH:
            flush()
    if pixels:
        flush()
    return backend, layout, np.array(times), np.array(adjacent), np.array(skip_one), np.array(keys, dtype=bool)


def _scores(earlier: list, later: list, faithful: bool) -> list[float]:
    if not later:
        return []
    if faithful:
        return [one_minus_ssim(a, b) for a, b in zip(earlier, later)]
    return mean_abs_differences(np.stack(earlier), np.stack(later)).tolist()


def _decode_with_fallback(job: KeyframeJob, size: tuple[int, int], spill):
    """The preferred backend first; if it fails anywhere in the pass, start over with the
    other (decord lacks AV1 and other newer codecs; PyAV may choke where decord copes)."""
    first = job.params.decoder
    second = "decord" if first == "pyav" else "pyav"
    try:
        return _decode_pass(job, size, spill, first)
    except Exception:
        if second == "decord" and job.decoder != "decord":
            raise  # ingest found that decord cannot read this file either
        spill.seek(0)
        spill.truncate()
        return _decode_pass(job, size, spill, second)


def stream_keys(stream: FrameStream, source_keys: np.ndarray | None) -> np.ndarray:
    """Codec key-frame flags along a speed stream: a whole source position that the codec
    stored whole (a synthesized half position, or the still stream's repeats, is none)."""
    if stream.variant == "still" or source_keys is None or not len(source_keys):
        return np.zeros(len(stream.positions), dtype=bool)
    whole = stream.positions == np.floor(stream.positions)
    index = np.clip(stream.positions.astype(int), 0, len(source_keys) - 1)
    return whole & source_keys[index]


def _sets(stream: FrameStream, p: KeyframeParams, video_id: str, source_keys: np.ndarray | None = None):
    """(set id, n, mode, stream indices) for each set of this variant; identical train sets
    are dropped, N larger than the stream is skipped. Train sets come from
    `p.train_sampler`; the test set is always MGSampler's."""
    cumulative = mgsampler.cumulative_motion(stream.pair_scores)
    view = samplers.StreamView(stream.pair_scores, stream_keys(stream, source_keys))
    sampler = samplers.load(p.train_sampler)
    variant_no = VARIANTS.index(stream.variant)
    for n in p.set_sizes:
        if n > len(stream.positions):
            continue
        seen = set()
        picks = mgsampler.pick_frames(cumulative, mgsampler.targets(n, "test"))
        seen.add(tuple(picks))
        yield f"{stream.variant}-n{n}-test", n, "test", picks
        span = (n - 1) * p.window_stride + 1
        if span <= len(stream.positions):
            # Fixed playback stride, centred: what a viewer of this variant would see,
            # so slow, normal, fast and still differ in motion per step (the Speed task).
            start = (len(stream.positions) - span) // 2
            yield f"{stream.variant}-n{n}-window", n, "window", list(range(start, start + span, p.window_stride))
        for k in range(p.train_sets_per_size):
            rng = np.random.default_rng([p.seed, zlib.crc32(video_id.encode()), variant_no, n, k])
            picks = sampler.pick(view, n, rng)
            if tuple(picks) not in seen:
                seen.add(tuple(picks))
                yield f"{stream.variant}-n{n}-train{k}", n, "train", picks


def _label_windows(times: np.ndarray, seconds: tuple, frames: int, stride: int):
    """(second, frame indices) per labelled second: `frames` frames `stride` apart, centred on the
    frame nearest the second, so the middle frame is the labelled one. A second whose window does
    not fit inside the clip gets none."""
    half = (frames - 1) // 2 * stride
    if len(times) == 0:
        return
    step = float(np.median(np.diff(times))) if len(times) > 1 else 0.0
    for second in seconds:
        centre = int(np.argmin(np.abs(times - second)))
        if abs(times[centre] - second) > step or centre - half < 0 or centre + half >= len(times):
            continue
        yield second, list(range(centre - half, centre + half + 1, stride))


def extract_keyframes(job: KeyframeJob) -> dict:
    p = job.params
    size = output_size(job.width, job.height, p.frame_short_side)
    out_dir = Path(job.frames_dir) / job.video_id
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=out_dir.parent) as spill:
        backend, layout, times, adjacent, skip_one, keys = _decode_with_fallback(job, size, spill)
        total = len(times)
        if total < min(p.set_sizes):
            raise TooShort(f"only {total} decodable frames; the smallest set needs {min(p.set_sizes)}")
        streams = speed_streams(adjacent, skip_one)
        rows = []
        for stream in streams:
            for set_id, n, mode, picks in _sets(stream, p, job.video_id, keys):
                rows.append(_row(job, stream, set_id, n, mode, picks, times))
        normal = next(s for s in streams if s.variant == "normal")
        for second, picks in _label_windows(times, job.label_seconds, p.label_window, p.label_window_stride):
            rows.append(_row(job, normal, label_set_id(second), len(picks), LABEL_MODE, picks, times))
        picks = clip_picks(len(normal.positions), bool(job.label_seconds), job.described, p)
        if picks:
            rows.append(_row(job, normal, CLIP_SET_ID, len(picks), CLIP_MODE, picks, times))
        positions = {pos for r in rows for pos in r["frame_positions"]}
        written = _write_frames(spill, size, layout, positions, out_dir, p)
    return {"backend": backend, "frames_decoded": total, "frames_written": written, "rows": rows,
            "frames_per_variant": {s.variant: len(s.positions) for s in streams}}


def clip_picks(count: int, labelled: bool, described: bool, p: KeyframeParams) -> list[int]:
    """The clip set's frames: every `labelled_clip_stride`-th of a labelled video (MA-Bench counts
    on them); for a video only a description manifest covers, at most `described_clip_frames`
    spread evenly (enough for a description record and its corruptions, and no more)."""
    if labelled and p.labelled_clip_stride:
        return list(range(0, count, p.labelled_clip_stride))
    if described and p.described_clip_frames:
        return sorted({int(i) for i in np.round(np.linspace(0, count - 1, min(count, p.described_clip_frames)))})
    return []


def frame_name(position: float) -> str:
    return f"p{int(round(position * 2)):06d}.jpg"


def _row(job: KeyframeJob, stream: FrameStream, set_id: str, n: int, mode: str, picks: list[int], times) -> dict:
    positions = [float(stream.positions[i]) for i in picks]
    scores = np.concatenate([[0.0], stream.pair_scores])
    return {
        "video_id": job.video_id, "variant": stream.variant, "set_id": set_id, "n": n, "mode": mode,
        "stream_indices": [int(i) for i in picks],
        "frame_positions": positions,
        "timestamps": [round(float(np.interp(pos, np.arange(len(times)), times)), 4) for pos in positions],
        "motion_scores": [round(float(scores[i]), 6) for i in picks],
        "frame_paths": [f"{job.frames_ref}/{job.video_id}/{frame_name(pos)}" for pos in positions],
    }


def _write_frames(spill, size: tuple[int, int], layout: str, positions: set[float], out_dir: Path,
                  p: KeyframeParams) -> int:
    width, height = size
    shape = (height * 3 // 2, width) if layout == YUV420 else (height, width, 3)
    frame_bytes = int(np.prod(shape))
    cache: dict[int, np.ndarray] = {}
    reformatter = VideoReformatter()

    def source(index: int) -> np.ndarray:
        if index not in cache:
            spill.seek(index * frame_bytes)
            pixels = np.frombuffer(spill.read(frame_bytes), dtype=np.uint8).reshape(shape)
            cache[index] = to_rgb(pixels, layout, reformatter)
        return cache[index]

    def save(rgb: np.ndarray, pos: float) -> None:
        # No temp-and-rename per file: the stage writes into a staging folder and removes
        # the folder of any video whose worker failed.
        Image.fromarray(rgb).save(out_dir / frame_name(pos), format="JPEG", quality=p.jpeg_quality)

    interpolate = INTERPOLATORS[p.slow_interpolation]
    # JPEG encoding releases the GIL: two writer threads overlap it with reading and
    # converting the next frames.
    with ThreadPoolExecutor(max_workers=2) as writer:
        pending = []
        for pos in sorted(positions):
            lo, hi = int(np.floor(pos)), int(np.ceil(pos))
            rgb = source(lo) if lo == hi else interpolate(source(lo), source(hi))
            pending.append(writer.submit(save, rgb, pos))
        for done in pending:
            done.result()
    return len(positions)
