"""Write frames as an H.264 MP4 through PyAV, reproducibly (same frames, same bytes)."""
from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path
from typing import Iterable

import av
import numpy as np


def write_h264(path: Path, frames: Iterable[np.ndarray], fps: int, crf: int = 20) -> int:
    """Encode RGB uint8 frames (H, W, 3) to `path`; returns the number of frames written.

    Single-threaded x264 and no creation time, so the output is bit-for-bit repeatable.
    Written to a temporary name first so a crash never leaves a half file in place.
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    count = 0
    with av.open(str(tmp), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps, 1))
        stream.pix_fmt = "yuv420p"
        stream.codec_context.thread_count = 1
        stream.options = {"crf": str(crf), "preset": "medium", "threads": "1"}
        for rgb in frames:
            if count == 0:
                stream.height, stream.width = rgb.shape[:2]
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
            count += 1
        for packet in stream.encode():
            container.mux(packet)
    os.replace(tmp, path)
    return count
