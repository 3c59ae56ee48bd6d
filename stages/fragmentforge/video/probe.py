"""Probe a video by decoding it: the frame count comes from decoding, not the header."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Optional


class ProbeError(Exception):
    """The file is not a decodable video; the message says why."""


@dataclass(frozen=True)
class VideoProbe:
    codec: str
    width: int
    height: int
    fps: float
    num_frames: int  # frames that actually decoded
    header_frames: Optional[int]  # what the container claims (may be wrong or missing)
    duration_s: float
    decoder: str  # backend later stages should use: "decord" or "pyav"

    def as_dict(self) -> dict:
        return asdict(self)


def probe_video(path: str) -> dict:
    """Decode every frame once with PyAV and check that decord can read the file too."""
    import av

    try:
        container = av.open(path)
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise ProbeError(f"cannot open as a video container: {exc}") from exc
    with container:
        if not container.streams.video:
            raise ProbeError("container has no video stream")
        stream = container.streams.video[0]
        codec = stream.codec_context.name
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        header = int(stream.frames) if stream.frames else None
        width, height = stream.codec_context.width, stream.codec_context.height
        decoded = 0
        try:
            for _ in container.decode(stream):
                decoded += 1
        except av.error.FFmpegError as exc:
            raise ProbeError(f"decoding failed after {decoded} frames: {exc}") from exc
    if decoded == 0:
        raise ProbeError("no frame could be decoded")
    if decoded == 1:
        raise ProbeError("only one decodable frame: a still image, not a video")
    if fps <= 0:
        raise ProbeError("stream has no usable frame rate")
    return VideoProbe(codec=codec, width=width, height=height, fps=round(fps, 4),
                      num_frames=decoded, header_frames=header,
                      duration_s=round(decoded / fps, 4),
                      decoder="decord" if _decord_reads(path) else "pyav").as_dict()


def _decord_reads(path: str) -> bool:
    """decord is the fast path later; it lacks newer codecs (AV1), so check it here."""
    try:
        import decord

        reader = decord.VideoReader(path, num_threads=1)
        reader.next()
        return True
    except Exception:  # any decord failure just means: use PyAV for this file
        return False
