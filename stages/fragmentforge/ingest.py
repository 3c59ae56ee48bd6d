"""Node `raw_videos`: read every source, probe each video by decoding it, store it once.

Output (paths.raw_dir): videos/<video_id><ext>, ground_truth/<video_id>.json where a
source has it, quarantine/<sha>.bin copies of readable bad inputs, manifest.parquet
(one row per input; status ok / duplicate / quarantined with a reason) and summary.json.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from fragmentforge.cli import parse_stage_args
from fragmentforge.common import fresh_dir, project_relative, replace_dir, sha256_file, write_json_atomic
from fragmentforge.config import IngestParams, Params
from fragmentforge.layout import INGEST_SUMMARY, MANIFEST
from fragmentforge.sources import Candidate, SourceContext, list_candidates
from fragmentforge.video.isolated import map_isolated
from fragmentforge.video.probe import probe_video

VIDEO_SUFFIXES = {".mp4", ".webm", ".mkv", ".avi", ".mov", ".m4v", ".mpg", ".mpeg", ".ts"}

MANIFEST_SCHEMA = pa.schema([
    ("input_id", pa.string()), ("source", pa.string()), ("name", pa.string()), ("uri", pa.string()),
    ("status", pa.string()), ("reason", pa.string()), ("video_id", pa.string()),
    ("sha256", pa.string()), ("size_bytes", pa.int64()), ("path", pa.string()),
    ("duplicate_of", pa.string()), ("split", pa.string()), ("label", pa.string()),
    ("template", pa.string()), ("placeholders", pa.list_(pa.string())),
    ("ground_truth", pa.string()), ("codec", pa.string()), ("width", pa.int32()),
    ("height", pa.int32()), ("fps", pa.float64()), ("duration_s", pa.float64()),
    ("num_frames", pa.int32()), ("header_frames", pa.int32()), ("decoder", pa.string()),
])


@dataclass(frozen=True)
class IngestResult:
    manifest: Path
    counts: dict[str, int]
    quarantined: list[dict]


def assign_split(sha256: str, test_ratio: float, salt: str) -> str:
    """Same content, same split, whichever source or name it arrives under."""
    digest = hashlib.sha256(f"{salt}:{sha256}".encode()).digest()
    return "test" if int.from_bytes(digest[:8], "big") / 2**64 < test_ratio else "train"


def _hash_if_regular(candidate: Candidate) -> tuple[Optional[str], Optional[int], Optional[str]]:
    """(sha256, size, problem). Non-regular files (FIFOs, devices) are left to the
    time-limited probe: reading them here could block the whole ingest."""
    try:
        info = candidate.local_path.stat()
    except OSError as exc:
        return None, None, f"cannot stat: {exc}"
    if not stat.S_ISREG(info.st_mode):
        return None, None, None
    if info.st_size == 0:
        return None, 0, "empty file (0 bytes)"
    try:
        return sha256_file(candidate.local_path), info.st_size, None
    except OSError as exc:
        return None, info.st_size, f"cannot read: {exc}"


def ingest(params: IngestParams, root: Path, synthetic_dir: Path, raw_dir: Path) -> IngestResult:
    root, raw_dir = Path(root), Path(raw_dir)
    staging = fresh_dir(raw_dir.with_name(raw_dir.name + ".staging"))
    context = SourceContext(root=root, synthetic_dir=Path(synthetic_dir), download_dir=staging / "incoming")
    candidates = _unique_ids([c for source in params.sources for c in list_candidates(source, context)])
    rows = {c.input_id: _base_row(c, root) for c in candidates}
    for c in candidates:
        if c.problem is not None:
            _quarantine(rows[c.input_id], c.problem)

    to_probe = _hash_and_find_duplicates([c for c in candidates if c.problem is None], rows, params.workers)
    _probe(to_probe, rows, params)
    for c in candidates:
        _place(rows[c.input_id], c, staging, root, raw_dir, params)
    _inherit_from_originals(rows)
    shutil.rmtree(staging / "incoming", ignore_errors=True)

    ordered = [rows[k] for k in sorted(rows)]
    pq.write_table(pa.Table.from_pylist(ordered, schema=MANIFEST_SCHEMA), staging / MANIFEST)
    counts = {s: sum(1 for r in ordered if r["status"] == s) for s in ("ok", "duplicate", "quarantined")}
    write_json_atomic(staging / INGEST_SUMMARY, {"inputs": len(ordered), **counts, "splits": _split_counts(ordered)})
    replace_dir(staging, raw_dir)
    quarantined = [{"input_id": r["input_id"], "reason": r["reason"]} for r in ordered if r["status"] == "quarantined"]
    return IngestResult(manifest=raw_dir / MANIFEST, counts=counts, quarantined=quarantined)


def _unique_ids(candidates: list[Candidate]) -> list[Candidate]:
    """A manifest may list one name twice; each listing stays its own row."""
    seen: dict[str, int] = {}
    out = []
    for c in candidates:
        seen[c.input_id] = seen.get(c.input_id, 0) + 1
        out.append(c if seen[c.input_id] == 1 else replace(c, name=f"{c.name}#{seen[c.input_id]}"))
    return out


def _hash_and_find_duplicates(candidates: list[Candidate], rows: dict, workers: int) -> list[Candidate]:
    """Hash every file; return the first input of each content, the ones worth probing."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        hashes = list(pool.map(_hash_if_regular, candidates))
    first_by_sha: dict[str, str] = {}
    to_probe = []
    for c, (sha, size, problem) in zip(candidates, hashes):
        row = rows[c.input_id]
        row.update(sha256=sha, size_bytes=size, video_id=sha[:16] if sha else None)
        if problem:
            _quarantine(row, problem)
        elif sha in first_by_sha:
            row.update(status="duplicate", duplicate_of=first_by_sha[sha],
                       reason=f"same content as {first_by_sha[sha]}")
        else:
            if sha:
                first_by_sha[sha] = c.input_id
            to_probe.append(c)
    return to_probe


def _probe(to_probe: list[Candidate], rows: dict, params: IngestParams) -> None:
    outcomes = map_isolated(probe_video, [str(c.local_path) for c in to_probe], params.workers,
                            params.probe_time_limit_s)
    for index, outcome in tqdm(outcomes, total=len(to_probe), desc="probe", disable=not params.progress):
        row = rows[to_probe[index].input_id]
        if outcome.ok and row["sha256"] is None:
            _quarantine(row, "decodes, but is not a regular file (pipe or device): cannot be stored")
        elif outcome.ok:
            row.update(outcome.value, status="ok")
            if row["header_frames"] is not None and row["header_frames"] != row["num_frames"]:
                row["reason"] = f"container header claims {row['header_frames']} frames; {row['num_frames']} decoded"
        else:
            _quarantine(row, f"probe failed: {outcome.error}")


def _inherit_from_originals(rows: dict) -> None:
    """A duplicate points at the stored copy and shares its split and probe results."""
    shared = ("path", "split", "codec", "width", "height", "fps", "duration_s", "num_frames",
              "header_frames", "decoder")
    for row in rows.values():
        if row["status"] == "duplicate":
            original = rows[row["duplicate_of"]]
            row.update({k: original[k] for k in shared})
            if original["status"] != "ok":
                _quarantine(row, f"duplicate of quarantined input {row['duplicate_of']}")


def _base_row(c: Candidate, root: Path) -> dict:
    row = {field.name: None for field in MANIFEST_SCHEMA}
    uri = project_relative(Path(c.uri), root) if Path(c.uri).is_absolute() else c.uri
    row.update(input_id=c.input_id, source=c.source, name=c.name, uri=uri, status="pending",
               label=c.label, template=c.template, placeholders=list(c.placeholders) or None)
    return row


def _quarantine(row: dict, reason: str) -> None:
    row.update(status="quarantined", reason=reason)


def _place(row: dict, c: Candidate, staging: Path, root: Path, raw_dir: Path, params: IngestParams) -> None:
    """Copy good videos (once per content) and readable bad ones into the raw folder."""
    if row["status"] == "ok":
        suffix = Path(c.name).suffix.lower()
        suffix = suffix if suffix in VIDEO_SUFFIXES else ".mp4"
        rel = Path("videos") / f"{row['video_id']}{suffix}"
        (staging / rel.parent).mkdir(exist_ok=True)
        shutil.copyfile(c.local_path, staging / rel)
        row["path"] = project_relative(raw_dir / rel, root)
        row["split"] = assign_split(row["sha256"], params.test_ratio, params.split_salt)
        if c.ground_truth is not None:
            truth = Path("ground_truth") / f"{row['video_id']}.json"
            (staging / truth.parent).mkdir(exist_ok=True)
            shutil.copyfile(c.ground_truth, staging / truth)
            row["ground_truth"] = project_relative(raw_dir / truth, root)
    elif row["status"] == "quarantined" and row["sha256"]:
        # Keep the bytes so nothing is lost, even when the source was remote.
        rel = Path("quarantine") / f"{row['sha256'][:16]}.bin"
        (staging / rel.parent).mkdir(exist_ok=True)
        shutil.copyfile(c.local_path, staging / rel)
        row["path"] = project_relative(raw_dir / rel, root)


def _split_counts(rows: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in rows:
        if r["status"] == "ok":
            counts[r["split"]] = counts.get(r["split"], 0) + 1
    return dict(sorted(counts.items()))


def run_ingest(params: Params, root: Path) -> IngestResult:
    return ingest(params.ingest, root, root / params.paths.synthetic_dir, root / params.paths.raw_dir)


def main(argv=None) -> None:
    params, root = parse_stage_args("Ingest videos from the sources in params.yaml.", argv)
    result = run_ingest(params, root)
    print(f"ingest: {json.dumps(result.counts)} -> {result.manifest}")
    for item in result.quarantined:
        print(f"  quarantined {item['input_id']}: {item['reason']}")


if __name__ == "__main__":
    main()
