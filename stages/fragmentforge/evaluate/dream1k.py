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


def run_dream1k(params, root: Path, jsonl: Path, videos: Path, base: str, variant: str, out: Path) -> dict:
    """Describe every usable entry with one model and write Tarsier's prediction file; score the
    descriptions with AutoDQ through the judge (a model judge: the ground-truth one has no world
    to read here, so its items are quarantined with that reason). Frames: the external sampler
    (evaluation.external_frames evenly, under the watchdog, cached by video hash)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from fragmentforge.descriptions import judging
    from fragmentforge.descriptions.events import strip_grounding
    from fragmentforge.evaluate import external
    from fragmentforge.evaluate.generation import generate_rows
    from fragmentforge.evaluate.model_io import load_model, pick_device
    from fragmentforge.layout import layout
    from fragmentforge.models.build import open_registry
    from fragmentforge.variants import BASE
    from fragmentforge.video.isolated import Worker, _context

    root, where, ev = Path(root).resolve(), layout(params, Path(root).resolve()), params.evaluation
    entries, problems = load_entries(jsonl, videos)
    settings = (params.keyframes.frame_short_side, params.keyframes.frame_scaler, params.keyframes.jpeg_quality)
    worker = Worker(_context((external.__name__,)), external.sample_frames)
    shown = []
    try:
        for entry in entries:
            frames = external.sampled_frames(worker, entry.video, None, None, ev.external_frames, settings,
                                    where.dir("eval_cache_dir") / "dream1k", root, ev.external_time_limit_s)
            if isinstance(frames, str):
                problems.append(Problem(0, f"{entry.video.name}: {frames}"))
                continue
            shown.append((entry, frames))
    finally:
        worker.stop()
    registry = open_registry(params, root)
    model = registry.describe(base)
    adapter = None if variant == BASE else where.adapter(base, variant)
    loaded = load_model(registry.local_copy(model, where.dir("model_cache_dir")), adapter, pick_device(ev.device))
    rows = [{"messages": [{"role": "user", "content": "<image>" * len(f) + e.prompt}], "images": f} for e, f in shown]
    replies = generate_rows(loaded, rows, root, ev.batch_size, ev.description_max_new_tokens)
    write_predictions(out, [e for e, _ in shown], replies, videos)
    items = [judging.Item(f"{e.dataset}#{e.idx}", strip_grounding(r), e.reference, reference_events=e.events)
             for (e, _), r in zip(shown, replies)]
    scored, stats = judging.score(items, params.judge, where.dir("eval_cache_dir") / "judge")
    pq.write_table(pa.Table.from_pylist([{"item": s.item_id, "recall": s.dq.recall if s.dq else None,
                                          "precision": s.dq.precision if s.dq else None, "reason": s.reason}
                                         for s in scored]), out.with_suffix(".scores.parquet"))
    ok = [s.dq for s in scored if s.dq]
    p = sum(d.precision for d in ok) / len(ok) if ok else float("nan")
    r = sum(d.recall for d in ok) / len(ok) if ok else float("nan")
    return {"entries": len(entries), "described": len(shown), "problems": [(x.line, x.reason) for x in problems],
            "scored": len(ok), "precision": p, "recall": r, "f1": 2 * p * r / (p + r) if ok and p + r else 0.0,
            "judge": stats}


def main(argv=None) -> None:
    from fragmentforge.cli import parse_args

    def more(parser):
        parser.add_argument("--file", required=True, type=Path, help="DREAM-1K-style JSONL")
        parser.add_argument("--videos", required=True, type=Path, help="folder the entries' video paths are under")
        parser.add_argument("--base", help="base model (default: the first of models.base_models)")
        parser.add_argument("--variant", default="base", help="adapter variant, or 'base' for none")
        parser.add_argument("--out", type=Path, help="prediction file (default: <file>.predictions.jsonl)")

    params, root, args = parse_args("Describe the videos of a DREAM-1K-style file and score them.", argv, more)
    out = args.out or args.file.with_suffix(".predictions.jsonl")
    summary = run_dream1k(params, root, args.file, args.videos, args.base or params.models.base_models[0],
                          args.variant, out)
    for line, reason in summary["problems"]:
        print(f"  left out (line {line}): {reason}")
    print(f"{summary['described']} of {summary['entries']} entries described -> {out}; "
          f"{summary['scored']} scored: precision {summary['precision']:.3f}, recall {summary['recall']:.3f}, "
          f"F1 {summary['f1']:.3f} (only entailment counts)")


if __name__ == "__main__":
    main()
