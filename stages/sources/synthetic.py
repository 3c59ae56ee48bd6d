"""The synthetic world's clips: its labels.json is in Something-Something v2's format."""
from __future__ import annotations

from stages.sources import Candidate, SourceContext
from stages.sources.label_manifest import ssv2_candidates

KIND = "synthetic"


def list_candidates(source, context: SourceContext) -> list[Candidate]:
    from stages.synthesize import CLIPS_SUBDIR, LABELS_FILE

    folder = context.synthetic_dir
    manifest = folder / LABELS_FILE
    if not manifest.is_file():
        raise FileNotFoundError(f"{manifest} is missing: run the synthesize stage first")
    return ssv2_candidates(source.name, manifest, folder / CLIPS_SUBDIR, (".mp4",), ground_truth_suffix=".json")
