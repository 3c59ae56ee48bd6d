"""DREAM-1K's JSONL in and out: an external video-description benchmark, read and answered.

In: one JSON object a line, in Tarsier's layout (`idx`, `dataset` "DREAM/<subset>", `text`:
{`prompt`, `response`}, `video_file`, `extra_info`: {`events`, `n_events`, `n_subjects`,
`n_shots`, `duration`}, `vid`) or flat (`video`, `prompt`, `reference`, `events`). A line that
cannot be used is quarantined with its reason (not JSON, no video or reference, events that are
not a list of non-empty strings, a duplicate (dataset, idx), a video file that is not there) and
the rest go on. Out: the same line in Tarsier's layout with `text.prediction` added, the form
Tarsier's evaluation reads (`extra_info` always carries whole-number counts, which it buckets by).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PROMPT = "Describe the video in detail."


@dataclass(frozen=True)
class Entry:
    idx: int | str
    dataset: str
    video: Path
    prompt: str
    reference: str
    events: tuple[str, ...] = ()
    vid: str = ""
    extra: dict = field(default_factory=dict)  # the rest of extra_info, written back as read

    @property
    def key(self) -> tuple[str, str]:
        return self.dataset, str(self.idx)


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str


def _entry(raw: dict, line: int, root: Path) -> Entry:
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    text = raw.get("text") if isinstance(raw.get("text"), dict) else {}
    extra = dict(raw.get("extra_info") or {})
    video = raw.get("video_file") or raw.get("video")
    reference = text.get("response") if text else raw.get("reference")
    events = extra.pop("events", None) if "events" in extra else raw.get("events", [])
    if not isinstance(video, str) or not video.strip():
        raise ValueError("no video (video_file or video)")
    if not isinstance(reference, str) or not reference.strip():
        raise ValueError("no reference description (text.response or reference)")
    if events is None:
        events = []
    if not isinstance(events, list) or not all(isinstance(e, str) and e.strip() for e in events):
        raise ValueError("events must be a list of non-empty strings")
    path = Path(video) if Path(video).is_absolute() else root / video
    if not path.is_file():
        raise ValueError(f"video file not found: {path}")
    prompt = (text.get("prompt") if text else raw.get("prompt")) or DEFAULT_PROMPT
    dataset = raw.get("dataset") or "DREAM/external"
    return Entry(idx=raw.get("idx", line), dataset=str(dataset), video=path, prompt=str(prompt).replace("<video>", "").strip(),
                 reference=reference.strip(), events=tuple(e.strip() for e in events),
                 vid=str(raw.get("vid") or path.stem), extra=extra)


def load_entries(path: Path, videos_root: Path) -> tuple[list[Entry], list[Problem]]:
    entries, problems, seen = [], [], set()
    for number, line in enumerate(Path(path).read_text(errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = _entry(json.loads(line), number, Path(videos_root))
        except json.JSONDecodeError as exc:
            problems.append(Problem(number, f"not JSON: {exc.msg}"))
            continue
        except ValueError as exc:
            problems.append(Problem(number, str(exc)))
            continue
        if entry.key in seen:
            problems.append(Problem(number, f"duplicate entry {entry.dataset} #{entry.idx}"))
            continue
        seen.add(entry.key)
        entries.append(entry)
    return entries, problems


def _count(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def prediction_line(entry: Entry, prediction: str, videos_root: Path) -> dict:
    video = entry.video.relative_to(videos_root).as_posix() if entry.video.is_relative_to(videos_root) else str(entry.video)
    dataset = entry.dataset if entry.dataset.split("/")[0] == "DREAM" else f"DREAM/{entry.dataset}"
    extra = {**entry.extra, "events": list(entry.events), "n_events": _count(entry.extra.get("n_events"), len(entry.events)),
             "n_subjects": _count(entry.extra.get("n_subjects"), 1), "n_shots": _count(entry.extra.get("n_shots"), 1)}
    return {"idx": entry.idx, "dataset": dataset, "vid": entry.vid, "video_file": video,
            "text": {"prompt": f"<video>\n{entry.prompt}", "response": entry.reference, "prediction": prediction},
            "extra_info": extra}


def write_predictions(path: Path, entries: list[Entry], predictions: list[str], videos_root: Path) -> None:
    if len(entries) != len(predictions):
        raise ValueError(f"{len(entries)} entries but {len(predictions)} predictions")
    lines = [json.dumps(prediction_line(e, p, Path(videos_root)), ensure_ascii=False) for e, p in zip(entries, predictions)]
    Path(path).write_text("".join(line + "\n" for line in lines))
