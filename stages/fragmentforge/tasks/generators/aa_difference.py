"""ActionArt proxy task SD (spatial difference mining): which way a named person's part moved
between two frames, from the teacher's list of changes. Train split only."""
import json

from fragmentforge.actionart.poses import DIRECTIONS
from fragmentforge.actionart.proxy import DIFFERENCE, ProxyOptions as Options, train_rows
from fragmentforge.tasks.record import Draft

LEVEL, COLUMN, ORDER = "actionart_proxy", "SD", 2
DESCRIPTION = "ActionArt proxy task: the pose change of a named person between two frames (teacher-labelled)."

__all__ = ["Options", "generate"]


def generate(ctx, env):
    for row in train_rows(ctx, DIFFERENCE):
        changes, subject = json.loads(row["value"])["changes"], json.loads(row["subject"])
        if not changes:
            continue
        change = changes[env.rng.randrange(len(changes))]
        part = "they move as a whole" if change["part"] == "whole body" else f"their {change['part']} move"
        yield Draft("normal", subject["frames"],
                    f"From the first frame to the second, which way does {subject['who']}'s pose change: which way "
                    f"does {part}?", change["direction"], [d for d in DIRECTIONS if d != change["direction"]],
                    {"person_id": row["person_id"], "label_source": row["label_source"], "proxy": "SD"})
