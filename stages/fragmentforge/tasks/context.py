"""What a task generator sees of one video: its split, labels, ground truth and keyframe sets.

Everything here is loaded once, before generation (frame bytes are hashed here so a
generator can tell identical frames apart without touching a file).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pyarrow.parquet as pq


@dataclass(frozen=True, slots=True)
class KeySet:
    set_id: str
    variant: str
    mode: str  # test | train | window | label (around a labelled keyframe second) | clip (a labelled/described video's)
    n: int
    positions: tuple  # source frame positions (x.5 for synthesized slow-motion frames)
    paths: tuple
    times: tuple = ()  # the frames' timestamps, seconds


@dataclass(slots=True)
class VideoContext:
    video_id: str
    split: str
    label: Optional[str]  # the class name (synthetic action name, or the manifest's label)
    template: Optional[str]  # SSv2-style template with [something] placeholders
    placeholders: list
    truth: Optional[dict]  # ground truth of a synthetic clip, or a manifest annotation
    sets: list  # every KeySet of this video
    frame_hash: dict  # frame path -> content hash
    labels: dict = field(default_factory=dict)  # the teacher's labels of this video: kind -> rows

    def sets_of(self, variant: str, modes: tuple) -> list:
        return [s for s in self.sets if s.mode in modes and s.variant == variant]

    def pool(self, variant: str) -> list:
        """Distinct (position, path) of a variant's keyframe sets, in time order (a `clip` set,
        a labelled or described video's frames, is not a keyframe set)."""
        seen = {}
        for s in self.sets:
            if s.variant == variant and s.mode != "clip":
                for pos, path in zip(s.positions, s.paths):
                    seen[pos] = path
        return sorted(seen.items())

    def same_content(self, a: str, b: str) -> bool:
        return a == b or self.frame_hash[a] == self.frame_hash[b]


def frame_digest(path: Path) -> str:
    """Content hash of a frame file: equal digests mean identical pixels (one JPEG encoder)."""
    return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()


def load_contexts(root: Path, manifest_path: Path, keyframes_path: Path,
                  labels_path: Path | None = None) -> list[VideoContext]:
    manifest = [r for r in pq.read_table(manifest_path).to_pylist() if r["status"] == "ok"]
    labels: dict[str, dict[str, list]] = {}
    if labels_path is not None and labels_path.is_file():
        for row in pq.read_table(labels_path).to_pylist():
            labels.setdefault(row["video_id"], {}).setdefault(row["kind"], []).append(row)
    sets: dict[str, list] = {}
    for row in pq.read_table(keyframes_path).to_pylist():
        sets.setdefault(row["video_id"], []).append(KeySet(
            row["set_id"], row["variant"], row["mode"], row["n"], tuple(row["frame_positions"]),
            tuple(row["frame_paths"]), tuple(row["timestamps"] or ())))
    hashes = {p: frame_digest(root / p) for rows in sets.values() for s in rows for p in s.paths}
    contexts = []
    for video in sorted(manifest, key=lambda r: r["video_id"]):
        truth = None
        if video.get("ground_truth"):
            truth = json.loads((root / video["ground_truth"]).read_text())
        label = video.get("label")
        if truth is not None and "action" in truth:  # a synthetic clip names its action; the manifest
            label = truth["action"]["label"]  # holds the filled text (AVA truth has per-person actions)
        contexts.append(VideoContext(
            video_id=video["video_id"], split=video["split"], label=label, template=video.get("template"),
            placeholders=list(video.get("placeholders") or []), truth=truth,
            sets=sets.get(video["video_id"], []), frame_hash=hashes, labels=labels.get(video["video_id"], {})))
    return contexts
