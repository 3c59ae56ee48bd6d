"""Sequential decoding: decord first, PyAV where decord cannot open or read the file.

One pass, in order, so neither backend ever seeks (decord's unsorted random access can
return the wrong frame). Frames come out as RGB at the requested size, scaled by the
decoder itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

import numpy as np


@dataclass(frozen=True)
class DecodedFrame:
    index: int
    time_s: float
    rgb: np.ndarray


def output_size(width: int, height: int, short_side: int) -> tuple[int, int]:
    """(width, height) with the short side at most `short_side`, even, never upscaled."""
    scale = min(1.0, short_side / min(width, height))
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def decord_frames(path: str, size: Optional[tuple[int, int]], fps: float) -> Iterator[DecodedFrame]:
    import decord

    w, h = size if size else (-1, -1)
    reader = decord.VideoReader(path, num_threads=0, width=w, height=h)
    stamps = reader.get_frame_timestamp(np.arange(len(reader)))[:, 0] if len(reader) else []
    index = 0
    while True:
        try:
            frame = reader.next()
        except StopIteration:
            return
        time_s = float(stamps[index]) if index < len(stamps) else index / fps
        yield DecodedFrame(index, time_s, frame.asnumpy())
        index += 1


def pyav_frames(path: str, size: Optional[tuple[int, int]], fps: float) -> Iterator[DecodedFrame]:
    import av

    with av.open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        w, h = size if size else (None, None)
        for index, frame in enumerate(container.decode(stream)):
            time_s = float(frame.time) if frame.time is not None else index / fps
            yield DecodedFrame(index, time_s, frame.to_ndarray(format="rgb24", width=w, height=h))


BACKENDS = {"decord": decord_frames, "pyav": pyav_frames}


def sequential_frames(path: str, size: Optional[tuple[int, int]], fps: float,
                      prefer: str = "decord") -> tuple[str, Iterator[DecodedFrame]]:
    """(backend used, frame iterator). Falls back to PyAV when decord cannot open the file;
    a failure after frames were produced is the caller's to retry with PyAV."""
    if prefer == "decord":
        try:
            frames = decord_frames(path, size, fps)
            first = next(frames)
        except StopIteration:
            return "decord", iter(())
        except Exception:  # decord lacks codecs (AV1...) or chokes on the file: use PyAV
            return "pyav", pyav_frames(path, size, fps)

        def chained():
            yield first
            yield from frames
        return "decord", chained()
    return "pyav", pyav_frames(path, size, fps)
