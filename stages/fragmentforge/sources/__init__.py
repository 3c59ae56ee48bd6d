"""Video sources: one module per `kind` in params.yaml, named by its file (fragmentforge.plugins).

Each module defines `Options` (a frozen dataclass with `name`, `kind` and the kind's own
fields) and `list_candidates(options, context) -> list[Candidate]`. A source that cannot be
read (missing folder, unreachable endpoint) becomes one candidate carrying the problem, so
the failure shows up in the manifest instead of stopping the ingest; a broken kind module
or a bad option stops with a message that names it.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional


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


def source_options(spec):
    """(kind module, typed options) of an ingest.sources entry: the kind's own `Options` checks it."""
    from fragmentforge.config.loader import plugin_options
    from fragmentforge.plugins import load

    module = load(sys.modules[__name__], spec.kind)
    raw = plugin_options({"name": spec.name, "kind": spec.kind, **spec.options}, spec.options.source,
                         spec.options.key)
    return module, raw.build_with(module.Options)


def list_candidates(spec, context: SourceContext) -> list[Candidate]:
    """Every input of one source, by name. A bad option or a broken kind module is raised (the
    message names the key or the module); a source that cannot be read becomes one row."""
    module, options = source_options(spec)
    try:
        candidates = module.list_candidates(options, context)
        if spec.descriptions:
            from fragmentforge.descriptions import manifest

            candidates = manifest.attach(candidates, resolve(context.root, spec.descriptions), spec.name,
                                         context.download_dir / "descriptions" / spec.name)
    except Exception as exc:  # a whole source failing is recorded, not raised
        return [Candidate(source=spec.name, name="<source>", uri=describe(spec),
                          problem=f"source could not be read: {type(exc).__name__}: {exc}")]
    return sorted(candidates, key=lambda c: c.name)


def describe(spec) -> str:
    for attr in ("uri", "path", "manifest", "package"):
        if attr in spec.options:
            return str(spec.options[attr])
    return spec.kind


def resolve(root: Path, path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else root / p
