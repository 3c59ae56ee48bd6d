"""The people world written as a dataset would ship it, under <synthetic_dir>/people/:
clips/<id>.mp4 with clips/<id>.json (the full per-frame ground truth), ava.csv and
actions.pbtxt (AVA v2.2's format, read back by the `ava` source kind), keypoints.json (COCO)."""
from __future__ import annotations

from pathlib import Path

from fragmentforge.common import write_json_atomic
from fragmentforge.config import SyntheticParams
from fragmentforge.formats import ava, coco_keypoints
from fragmentforge.synthetic.people.annotations import action_list, ava_rows, coco_people, keyframe_seconds
from fragmentforge.synthetic.people.world import OBJECT_SCENES, PAIR_SCENES, people_clip
from fragmentforge.synthetic.world import clip_rng
from fragmentforge.video.encode import write_h264

FOLDER, AVA_CSV, ACTION_LIST, KEYPOINTS = "people", "ava.csv", "actions.pbtxt", "keypoints.json"
STREAM = 1_000_003  # the people clips' seed stream, apart from the shapes clips'
# Scenarios in turn, so every object action and interaction appears; None lets a clip mix.
SCENES = (None, *OBJECT_SCENES, None, *PAIR_SCENES)


def synthesize_people(params: SyntheticParams, out_dir: Path) -> int:
    """Write params.people.num_clips clips into out_dir/people; returns the number of frames."""
    people = params.people
    if people.num_clips == 0:
        return 0
    folder = Path(out_dir) / FOLDER
    (folder / "clips").mkdir(parents=True, exist_ok=True)
    rows, keypoints, sizes, frames_total = [], [], {}, 0
    for index in range(people.num_clips):
        clip_id = f"people-{index:04d}"
        rng = clip_rng(params.seed + STREAM, index)
        seconds = float(rng.uniform(params.min_seconds, params.max_seconds))
        n_frames = max(8, round(seconds * params.fps))
        frames, truth = people_clip(clip_id, rng, params.width, params.height, params.fps, n_frames,
                                    SCENES[index % len(SCENES)])
        write_h264(folder / "clips" / f"{clip_id}.mp4", frames, params.fps, params.crf)
        write_json_atomic(folder / "clips" / f"{clip_id}.json", truth)
        rows += ava_rows(truth, clip_id, keyframe_seconds(truth, people.keyframes_per_second))
        keypoints += coco_people(truth, f"{clip_id}.mp4")
        sizes[f"{clip_id}.mp4"] = (params.width, params.height)
        frames_total += n_frames
    ava.write_csv(folder / AVA_CSV, rows)
    ava.write_action_list(folder / ACTION_LIST, action_list())
    coco_keypoints.write(folder / KEYPOINTS, keypoints, sizes)
    return frames_total
