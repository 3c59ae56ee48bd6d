"""The synthetic world's clips: its labels.json is in Something-Something v2's format."""
from __future__ import annotations

from dataclasses import dataclass

from fragmentforge.layout import CLIPS, LABELS
from fragmentforge.sources import Candidate, SourceContext
from fragmentforge.sources.label_manifest import ssv2_candidates


@dataclass(frozen=True)
class Options:
    name: str
    kind: str


def list_candidates(source, context: SourceContext) -> list[Candidate]:
    folder = context.synthetic_dir
    manifest = folder / LABELS
    if not manifest.is_file():
        raise FileNotFoundError(f"{manifest} is missing: run the synthetic_clips node first")
    return ssv2_candidates(source.name, manifest, folder / CLIPS, (".mp4",), ground_truth_suffix=".json")
