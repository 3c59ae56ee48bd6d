"""ActionArt proxy task PD (pose description): a named person's posture or where one hand is in
one frame, from the teacher's pose description. Train split only."""
import json

from fragmentforge.actionart.benchmark import POSTURES
from fragmentforge.actionart.poses import HAND_BANDS
from fragmentforge.actionart.proxy import POSE, ProxyOptions as Options, train_rows
from fragmentforge.tasks.record import Draft

LEVEL, COLUMN, ORDER = "actionart_proxy", "PD", 1
DESCRIPTION = "ActionArt proxy task: pose description of a named person in one frame (teacher-labelled)."

__all__ = ["Options", "generate"]


def generate(ctx, env):
    for row in train_rows(ctx, POSE):
        pose, subject = json.loads(row["value"]), json.loads(row["subject"])
        who = subject["who"]
        if pose["posture"] in POSTURES.values() and env.rng.random() < 0.5:
            wrong = [p for p in POSTURES.values() if p != pose["posture"]]
            env.rng.shuffle(wrong)
            question, correct, distractors = f"What is {who}'s posture?", pose["posture"], wrong[:3]
        else:
            side = env.rng.choice(["left", "right"])
            band = pose[f"{side}_hand"]
            if band not in HAND_BANDS:
                continue
            question, correct, distractors = (f"Where is {who}'s {side} hand?", band,
                                              [b for b in HAND_BANDS if b != band])
        yield Draft("normal", subject["frames"], question, correct, distractors,
                    {"person_id": row["person_id"], "label_source": row["label_source"], "proxy": "PD"})
