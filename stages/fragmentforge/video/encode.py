"""Write frames as an H.264 MP4 through PyAV, reproducibly (same frames, same bytes)."""
from __future__ import annotations

import os
import platform
from fractions import Fraction
from pathlib import Path
from typing import Iterable, Optional

import av
import numpy as np

# x264's SIMD levels, restricted to x86-64's baseline (SSE2, which every x86-64 CPU has):
# - its AVX-512 kernels read memory they never wrote on small frames, so the same frames
#   encoded twice in one process could differ in pixels, depending on what ran before;
# - its AVX2/FMA paths round the rate control's floats differently, so clips made on one
#   machine would not match those made on another.
# Up to SSE2 the output equals x264's plain C code (tests/test_synthetic.py), at about 5%
# more encoding time than every level on; plain C costs about 2.3 times as much.
X86_BASELINE = "MMX2,SSE,SSE2"


def x264_instruction_sets() -> Optional[str]:
    """The `asm` value for x264 here (None: x264's own detection, off x86-64)."""
    return X86_BASELINE if platform.machine().lower() in ("x86_64", "amd64") else None


def write_h264(path: Path, frames: Iterable[np.ndarray], fps: int, crf: int = 20,
               asm: Optional[str] = None) -> int:
    """Encode RGB uint8 frames (H, W, 3) to `path`; returns the number of frames written.

    Single-threaded x264 at x86-64's baseline SIMD (see above) and no creation time, so the output is
    bit-for-bit repeatable. `asm` overrides the instruction sets ("0": plain C).
    Written to a temporary name first so a crash never leaves a half file in place.
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    options = {"crf": str(crf), "preset": "medium", "threads": "1"}
    asm = asm if asm is not None else x264_instruction_sets()
    if asm is not None:
        options["x264-params"] = f"asm={asm}"
    count = 0
    with av.open(str(tmp), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps, 1))
        stream.pix_fmt = "yuv420p"
        stream.codec_context.thread_count = 1
        stream.options = options
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
