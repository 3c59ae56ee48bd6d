"""Videos in a local folder, matched by a glob pattern (e.g. "**/*.mp4")."""
from __future__ import annotations

from dataclasses import dataclass

from fragmentforge.sources import Candidate, SourceContext, resolve


@dataclass(frozen=True)
class Options:
    name: str
    kind: str
    path: str
    pattern: str = "*"


def list_candidates(source, context: SourceContext) -> list[Candidate]:
    folder = resolve(context.root, source.path)
    if not folder.is_dir():
        raise FileNotFoundError(f"folder {folder} does not exist")
    return [
        Candidate(source=source.name, name=p.relative_to(folder).as_posix(), uri=str(p), local_path=p)
        for p in folder.glob(source.pattern)
        if not p.is_dir()
    ]
