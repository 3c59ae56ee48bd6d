"""Video sources: one module per `kind` in params.yaml, found by scanning this package.

Each module defines `KIND` and `list_candidates(source, context) -> list[Candidate]`.
A source that cannot be read at all returns one candidate carrying the problem, so the
failure shows up in the manifest instead of stopping the ingest.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional


@dataclass(frozen=True)
class Candidate:
    source: str
    name: str  # path relative to the source's root: with `source`, the input's stable id
    uri: str  # where the input came from, for people
    local_path: Optional[Path] = None  # the bytes to probe; None when unreachable
    problem: Optional[str] = None  # known bad before probing (missing, escapes root...)
    label: Optional[str] = None
    template: Optional[str] = None
    placeholders: tuple[str, ...] = field(default_factory=tuple)
    ground_truth: Optional[Path] = None

    @property
    def input_id(self) -> str:
        return f"{self.source}:{self.name}"


@dataclass(frozen=True)
class SourceContext:
    root: Path  # project root: relative paths in params.yaml start here
    synthetic_dir: Path
    download_dir: Path  # where remote inputs are fetched to before probing


def _discover() -> dict[str, Callable]:
    found = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "KIND"):
            found[module.KIND] = module.list_candidates
    return found


def list_candidates(source, context: SourceContext) -> list[Candidate]:
    readers = _discover()
    try:
        candidates = readers[source.kind](source, context)
    except Exception as exc:  # a whole source failing is recorded, not raised
        return [Candidate(source=source.name, name="<source>", uri=describe(source),
                          problem=f"source could not be read: {type(exc).__name__}: {exc}")]
    return sorted(candidates, key=lambda c: c.name)


def describe(source) -> str:
    for attr in ("uri", "path", "manifest", "package"):
        if hasattr(source, attr):
            return str(getattr(source, attr))
    return source.kind


def resolve(root: Path, path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else root / p
