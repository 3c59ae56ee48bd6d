"""Videos named by a label file: Something-Something v2's JSON list (`id`, `label`,
`template`, `placeholders`; the video is <root>/<id>.<ext>) or a CSV/JSONL table with
`path` (relative to the root) and an optional `label`.

Entries that point outside the root (`../`, absolute paths) or at missing files become
candidates that carry the problem, so each one is quarantined with its reason.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional

from fragmentforge.sources import Candidate, SourceContext, resolve


@dataclass(frozen=True)
class Options:
    """Labels in Something-Something v2's JSON list, or a CSV/JSONL with `path` and `label`."""

    name: str
    kind: str
    manifest: str
    root: Optional[str] = None
    format: Literal["auto", "ssv2", "csv", "jsonl"] = "auto"
    video_extensions: tuple[str, ...] = (".webm", ".mp4", ".mkv", ".avi", ".mov")


def list_candidates(source, context: SourceContext) -> list[Candidate]:
    manifest = resolve(context.root, source.manifest)
    root = resolve(context.root, source.root) if source.root else manifest.parent
    fmt = source.format if source.format != "auto" else _format_from_suffix(manifest)
    if fmt == "ssv2":
        return ssv2_candidates(source.name, manifest, root, source.video_extensions)
    rows = _read_csv(manifest) if fmt == "csv" else _read_jsonl(manifest)
    return [_table_candidate(source.name, manifest, root, i, row) for i, row in enumerate(rows)]


def ssv2_candidates(source_name: str, manifest: Path, root: Path, extensions,
                    ground_truth_suffix: str | None = None) -> list[Candidate]:
    entries = json.loads(manifest.read_text())
    if not isinstance(entries, list):
        raise ValueError(f"{manifest} is not a JSON list of entries")
    out = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or "id" not in entry:
            out.append(_problem(source_name, manifest, i, "entry has no 'id'"))
            continue
        video_id = str(entry["id"])
        labels = dict(label=entry.get("label"), template=entry.get("template"),
                      placeholders=tuple(entry.get("placeholders") or ()))
        matches = [root / f"{video_id}{ext}" for ext in extensions]
        path = next((p for p in matches if p.exists()), None)
        problem = _escape_problem(root, root / video_id)
        if problem is None and path is None:
            problem = f"no video file for id {video_id!r} under {root} ({', '.join(extensions)})"
        truth = None
        if ground_truth_suffix and path is not None:
            candidate_truth = root / f"{video_id}{ground_truth_suffix}"
            truth = candidate_truth if candidate_truth.exists() else None
        out.append(Candidate(source=source_name, name=f"{video_id}{path.suffix}" if path else video_id,
                             uri=str(path or root / video_id), local_path=path if problem is None else None,
                             problem=problem, ground_truth=truth, **labels))
    return out


def _table_candidate(source_name: str, manifest: Path, root: Path, index: int, row: dict) -> Candidate:
    rel = (row.get("path") or "").strip()
    if not rel:
        return _problem(source_name, manifest, index, "entry has no 'path'")
    target = root / rel
    problem = _escape_problem(root, target)
    if problem is None and not target.exists():
        problem = f"file not found: {target}"
    return Candidate(source=source_name, name=rel, uri=str(target),
                     local_path=target if problem is None else None, problem=problem,
                     label=(row.get("label") or None))


def _escape_problem(root: Path, target: Path) -> str | None:
    """Refuse entries that resolve outside the source folder (e.g. '../secret.mp4')."""
    try:
        target.resolve().relative_to(root.resolve())
    except ValueError:
        return f"path escapes the source folder {root}"
    return None


def _problem(source_name: str, manifest: Path, index: int, why: str) -> Candidate:
    return Candidate(source=source_name, name=f"<entry {index}>", uri=f"{manifest}#{index}",
                     problem=f"manifest entry {index}: {why}")


def _format_from_suffix(manifest: Path) -> str:
    suffix = manifest.suffix.lower()
    formats = {".json": "ssv2", ".csv": "csv", ".jsonl": "jsonl"}
    if suffix not in formats:
        raise ValueError(f"cannot tell the format of {manifest.name}; set `format`")
    return formats[suffix]


def _read_csv(manifest: Path) -> list[dict]:
    with open(manifest, newline="") as handle:
        return list(csv.DictReader(handle))


def _read_jsonl(manifest: Path) -> list[dict]:
    rows = []
    for line in manifest.read_text().splitlines():
        if line.strip():
            value = json.loads(line)
            rows.append(value if isinstance(value, dict) else {})
    return rows
