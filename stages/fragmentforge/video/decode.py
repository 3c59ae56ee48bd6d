"""Sequential decoding through PyAV or decord, the other being the fallback.

One pass, in order, so neither backend ever seeks (decord's unsorted random access can
return the wrong frame). Each frame comes out scaled to the requested size with its luma
plane for motion scores. PyAV frames stay in YUV 4:2:0 (scaling without the colour
conversion costs about half as much); `to_rgb` converts the few frames that are kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

YUV420 = "yuv420p"
RGB24 = "rgb24"


@dataclass(frozen=True)
class DecodedFrame:
    index: int
    time_s: float
    pixels: np.ndarray  # YUV420: (h * 3 / 2, w) planes stacked; RGB24: (h, w, 3)
    layout: str
    luma: np.ndarray  # (h, w) grey levels, at full size when asked for, else at `size`
    key: bool = False  # the codec stored this frame whole (an I-frame)


def output_size(width: int, height: int, short_side: int) -> tuple[int, int]:
    """(width, height) with the short side at most `short_side`, even, never upscaled."""
    scale = min(1.0, short_side / min(width, height))
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def to_rgb(pixels: np.ndarray, layout: str, reformatter=None) -> np.ndarray:
    """RGB of a stored frame. Pass one reformatter for many frames of a size: swscale's
    set-up then happens once instead of per frame."""
    if layout == RGB24:
        return pixels
    import av
    from av.video.reformatter import VideoReformatter

    frame = av.VideoFrame.from_ndarray(pixels, format=YUV420)
    return (reformatter or VideoReformatter()).reformat(frame, format=RGB24).to_ndarray()


def _plane(plane, width: int, height: int) -> np.ndarray:
    return np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)[:height, :width]


# swscale's flag names for the params' scaler choices, and PIL's closest filters.
SWS_FILTERS = {"area": "AREA", "bilinear": "BILINEAR", "bicubic": "BICUBIC"}
PIL_FILTERS = {"area": "BOX", "bilinear": "BILINEAR", "bicubic": "BICUBIC"}


def pyav_frames(path: str, size: tuple[int, int], fps: float, full_luma: bool = False,
                scaler: str = "area") -> Iterator[DecodedFrame]:
    import av
    from av.video.reformatter import VideoReformatter

    w, h = size
    reformatter = VideoReformatter()  # one per video: swscale's context is reused across frames
    with av.open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for index, frame in enumerate(container.decode(stream)):
            time_s = float(frame.time) if frame.time is not None else index / fps
            small = reformatter.reformat(frame, width=w, height=h, format=YUV420, interpolation=SWS_FILTERS[scaler])
            pixels = small.to_ndarray()  # yuv420p: the Y rows, then U and V each flattened
            if full_luma:
                full = frame if frame.format.name == YUV420 else frame.reformat(format=YUV420)
                luma = _plane(full.planes[0], full.width, full.height).copy()
            else:
                luma = pixels[:h]
            yield DecodedFrame(index, time_s, pixels, YUV420, luma, bool(frame.key_frame))


def decord_frames(path: str, size: tuple[int, int], fps: float, full_luma: bool = False,
                  scaler: str = "area") -> Iterator[DecodedFrame]:
    import decord

    from fragmentforge.motion.motion import to_gray

    # Without full_luma decord scales inside its own FFmpeg, with its own filter: `scaler`
    # then applies to the PyAV path only.
    w, h = (-1, -1) if full_luma else size
    reader = decord.VideoReader(path, num_threads=0, width=w, height=h)
    stamps = reader.get_frame_timestamp(np.arange(len(reader)))[:, 0] if len(reader) else []
    keys = set(int(i) for i in reader.get_key_indices()) if len(reader) else set()
    index = 0
    while True:
        try:
            rgb = reader.next().asnumpy()
        except StopIteration:
            return
        time_s = float(stamps[index]) if index < len(stamps) else index / fps
        luma = to_gray(rgb)
        if full_luma:
            from PIL import Image

            rgb = np.asarray(Image.fromarray(rgb).resize(size, getattr(Image.Resampling, PIL_FILTERS[scaler])))
        yield DecodedFrame(index, time_s, rgb, RGB24, luma, index in keys)
        index += 1


BACKENDS = {"pyav": pyav_frames, "decord": decord_frames}


def sequential_frames(path: str, size: tuple[int, int], fps: float, prefer: str = "pyav",
                      full_luma: bool = False, scaler: str = "area") -> tuple[str, Iterator[DecodedFrame]]:
    """(backend used, frame iterator). If the preferred backend cannot open the file or
    produce a first frame, the other is used; a failure later is the caller's to retry."""
    other = "decord" if prefer == "pyav" else "pyav"
    try:
        frames = BACKENDS[prefer](path, size, fps, full_luma, scaler)
        first = next(frames)
    except StopIteration:
        return prefer, iter(())
    except Exception:  # e.g. decord lacks AV1 and other codecs newer than its FFmpeg
        return other, BACKENDS[other](path, size, fps, full_luma, scaler)

    def chained():
        yield first
        yield from frames
    return prefer, chained()
