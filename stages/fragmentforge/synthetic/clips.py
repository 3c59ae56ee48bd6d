"""Node `synthetic_clips`: render the synthetic world into H.264 clips with ground truth.

Output folder (paths.synthetic_dir): clips/<id>.mp4, clips/<id>.json (per-frame ground
truth) and labels.json, a label list in Something-Something v2's format; people/ when
synthetic.people.num_clips > 0 (synthetic/people/clips.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from fragmentforge.cli import parse_stage_args
from fragmentforge.common import fresh_dir, replace_dir, write_json_atomic
from fragmentforge.config import SyntheticParams
from fragmentforge.layout import CLIPS, LABELS
from fragmentforge.synthetic.actions import ACTIONS
from fragmentforge.synthetic.people.clips import synthesize_people
from fragmentforge.synthetic.world import clip_rng, synthesize_clip
from fragmentforge.video.encode import write_h264



@dataclass(frozen=True)
class SynthesisSummary:
    out_dir: Path
    clips: int
    frames: int
    actions: dict[str, int]


def clip_plan(params: SyntheticParams) -> list[tuple[str, str]]:
    """(clip id, action) for every clip: actions cycle so each appears about equally."""
    names = list(params.actions) if params.actions else list(ACTIONS)
    return [(f"synth-{i:04d}-{names[i % len(names)]}", names[i % len(names)]) for i in range(params.num_clips)]


def synthesize(params: SyntheticParams, out_dir: Path, progress: bool = False) -> SynthesisSummary:
    out_dir = Path(out_dir)
    staging = fresh_dir(out_dir.with_name(out_dir.name + ".staging"))
    clips_dir = staging / CLIPS
    clips_dir.mkdir()
    labels, counts, total_frames = [], {}, 0
    plan = clip_plan(params)
    for index, (clip_id, action) in enumerate(tqdm(plan, desc="synthetic_clips", disable=not progress)):
        rng = clip_rng(params.seed, index)
        seconds = float(rng.uniform(params.min_seconds, params.max_seconds))
        n_frames = max(8, round(seconds * params.fps))
        frames, truth = synthesize_clip(clip_id, action, rng, params.width, params.height,
                                        params.fps, n_frames)
        write_h264(clips_dir / f"{clip_id}.mp4", frames, params.fps, params.crf)
        write_json_atomic(clips_dir / f"{clip_id}.json", truth)
        labels.append({"id": clip_id, "label": truth["action"]["text"],
                       "template": truth["action"]["template"],
                       "placeholders": truth["action"]["placeholders"]})
        counts[action] = counts.get(action, 0) + 1
        total_frames += n_frames
    write_json_atomic(staging / LABELS, labels)
    total_frames += synthesize_people(params, staging)
    replace_dir(staging, out_dir)
    return SynthesisSummary(out_dir=out_dir, clips=len(plan), frames=total_frames, actions=counts)


def main(argv=None) -> None:
    params, root = parse_stage_args("Render the synthetic world into clips with ground truth.", argv)
    summary = synthesize(params.synthetic, root / params.paths.synthetic_dir, progress=True)
    print(f"synthesize: {summary.clips} clips, {summary.frames} frames -> {summary.out_dir}")


if __name__ == "__main__":
    main()
