"""External benchmarks in MVBench's JSON format, run through the same evaluator.

Each entry: {"video", "question", "candidates", "answer" (the candidate text), optional
"start"/"end" in seconds}. Frames are sampled once per (video, window, N): the centres of N
equal segments of the window, taken in one sequential decoding pass in a time-limited
worker process, and cached as JPEG under the cache folder, keyed by the video's hash.
"""
from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from fragmentforge.common import project_relative, sha256_file
from fragmentforge.evaluate.questions import Question
from fragmentforge.tasks.record import LETTERS, sharegpt_entry
from fragmentforge.video.decode import YUV420, output_size, sequential_frames, to_rgb


class BadEntry(ValueError):
    pass


@dataclass(frozen=True)
class SampleJob:
    video: str
    start: float | None
    end: float | None
    n: int
    short_side: int
    scaler: str  # keyframes.frame_scaler and jpeg_quality: stored like every other frame
    jpeg_quality: int
    out_dir: str


def sample_frames(job: SampleJob) -> list[str]:
    """Worker: decode once, spill small frames to a temp file, write the N picked as JPEG."""
    import av

    with av.open(job.video) as container:
        stream = container.streams.video[0]
        width, height, fps = stream.width, stream.height, float(stream.average_rate or 25)
    size = output_size(width, height, job.short_side)
    w, h = size
    frame_bytes = h * 3 // 2 * w
    times = []
    out = Path(job.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=out.parent) as spill:
        _, frames = sequential_frames(job.video, size, fps, "pyav", scaler=job.scaler)
        for frame in frames:
            if frame.layout != YUV420:
                raise ValueError(f"unexpected frame layout {frame.layout}")
            if job.end is not None and frame.time_s > job.end:
                break
            if job.start is None or frame.time_s >= job.start:
                spill.write(np.ascontiguousarray(frame.pixels).tobytes())
                times.append(frame.time_s)
        if not times:
            raise ValueError("no decodable frame inside the requested window")
        times = np.array(times)
        lo, hi = times[0], times[-1] + (times[-1] - times[0]) / max(len(times) - 1, 1)
        targets = lo + (np.arange(job.n) + 0.5) * (hi - lo) / job.n
        picks = [int(np.abs(times - t).argmin()) for t in targets]
        paths = []
        for k, index in enumerate(picks):
            spill.seek(index * frame_bytes)
            pixels = np.frombuffer(spill.read(frame_bytes), np.uint8).reshape(h * 3 // 2, w)
            path = out / f"f{k}.jpg"
            Image.fromarray(to_rgb(pixels, YUV420)).save(path, format="JPEG", quality=job.jpeg_quality)
            paths.append(str(path))
    return paths


def load_entries(qa_file: Path) -> list[dict]:
    entries = json.loads(qa_file.read_text())
    if not isinstance(entries, list):
        raise BadEntry(f"{qa_file}: expected a JSON list of questions")
    for i, e in enumerate(entries):
        missing = [k for k in ("video", "question", "candidates", "answer") if k not in e]
        if missing:
            raise BadEntry(f"{qa_file}[{i}]: missing {', '.join(missing)}")
        if str(e["answer"]) not in [str(c) for c in e["candidates"]]:
            raise BadEntry(f"{qa_file}[{i}]: the answer {e['answer']!r} is not one of the candidates")
        if len(e["candidates"]) > len(LETTERS):
            raise BadEntry(f"{qa_file}[{i}]: more than {len(LETTERS)} candidates")
    return entries


def build_questions(qa_file: Path, videos_dir: Path, cache_dir: Path, root: Path, n: int, frames_params,
                    time_limit_s: float) -> tuple[list[Question], list[dict]]:
    """(questions, problems): an entry whose video is missing or does not decode is a problem
    with its reason, and the rest go on. Frames are scaled and stored as the keyframes node
    stores its frames (`frames_params`: KeyframeParams)."""
    short_side, scaler, quality = frames_params.frame_short_side, frames_params.frame_scaler, frames_params.jpeg_quality
    from fragmentforge.video.isolated import Worker, _context

    worker = Worker(_context((__name__,)), sample_frames)  # one process, replaced if a video kills it
    try:
        return _build_questions(qa_file, videos_dir, cache_dir, root, n, (short_side, scaler, quality),
                                time_limit_s, worker)
    finally:
        worker.stop()


def sampled_frames(worker, video: Path, start, end, n: int, frame_settings: tuple, cache_dir: Path, root: Path,
                   time_limit_s: float) -> list[str] | str:
    """N frames of a video's window (project-relative paths), sampled once and cached by the
    video's hash, or the reason they could not be (the worker's error: a crash, a hang, no frame)."""
    short_side, scaler, quality = frame_settings
    digest = hashlib.sha256(f"{sha256_file(video)}|{start}|{end}|{n}|{short_side}|{scaler}|{quality}".encode()).hexdigest()[:20]
    folder = cache_dir / digest
    done = folder / "frames.json"
    if done.is_file():
        return json.loads(done.read_text())
    outcome = worker.run(SampleJob(str(video), start, end, n, short_side, scaler, quality, str(folder)), time_limit_s)
    if not outcome.ok:
        return outcome.error
    frames = [project_relative(Path(p), root) for p in outcome.value]
    done.write_text(json.dumps(frames))
    return frames


def _build_questions(qa_file, videos_dir, cache_dir, root, n, frame_settings, time_limit_s, worker):
    task = f"external:{qa_file.stem}"
    questions, problems, cached = [], [], {}
    for i, e in enumerate(load_entries(qa_file)):
        video = videos_dir / e["video"]
        if not video.is_file():
            problems.append({"index": i, "video": e["video"], "reason": "video file not found"})
            continue
        start, end = e.get("start"), e.get("end")
        key = (str(video), start, end)
        if key not in cached:
            cached[key] = sampled_frames(worker, video, start, end, n, frame_settings, cache_dir, root, time_limit_s)
        frames = cached[key]
        if isinstance(frames, str):
            problems.append({"index": i, "video": e["video"], "reason": frames})
            continue
        candidates = [str(c) for c in e["candidates"]]
        answer = LETTERS[candidates.index(str(e["answer"]))]
        record = {"frames": frames, "question": e["question"], "options": candidates, "answer": answer,
                  "video": None}
        _, row = sharegpt_entry(record)
        questions.append(Question(qa_id=f"{task}:{i}", task=task, level="external", n=len(frames),
                                  video_id=e["video"], options=dict(zip(LETTERS, candidates)), answer=answer, row=row))
    return questions, problems
