"""ActionArt's benchmark (§3): eight sub-tasks (AC, AR, AS, GS, HOI, LS, MV, TL, the records'
`tag`) about one named person through the whole clip, from the people world's AVA rows and
keypoints (actionart/benchmark.py)."""
from dataclasses import dataclass

from fragmentforge.actionart.benchmark import questions
from fragmentforge.config.schema import check_default
from fragmentforge.tasks.record import Draft
from fragmentforge.tasks.registry import TaskOptions

LEVEL, COLUMN, ORDER = "actionart", "ActionArt", 1
DESCRIPTION = ("ActionArt's eight sub-tasks about a named person (action count, recognition and sequence, "
               "posture, object interaction, hand position, moving direction, timing), from AVA rows and keypoints.")


@dataclass(frozen=True)
class Options(TaskOptions):
    frames: int = check_default(8, lambda v: 4 <= v <= 32, "must be in [4, 32]")  # ActionArt samples 16 to 64


def generate(ctx, env):
    for item in questions(ctx, env.options.frames, env.rng):
        yield Draft("normal", item["frames"], item["question"], item["correct"], item["distractors"],
                    {"tag": item["tag"], "person_id": item["person_id"], "n": len(item["frames"]),
                     "label_source": "AVA rows and COCO keypoints"})
