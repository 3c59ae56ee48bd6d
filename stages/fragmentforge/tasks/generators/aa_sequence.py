"""ActionArt proxy task FGQA (synthesized fine-grained QA): pseudo-long clips concatenated from
teacher-labelled action units of different videos; what happens in one of the moments. Train split only."""
import json

from fragmentforge.actionart.proxy import CLIP, UNIT_LABELS, ProxyOptions as Options, train_rows
from fragmentforge.microactions.questions import option
from fragmentforge.tasks.record import Draft, ordinal

LEVEL, COLUMN, ORDER = "actionart_proxy", "FGQA", 3
DESCRIPTION = "ActionArt proxy task: the action sequence of a pseudo-long clip made of labelled action units."

__all__ = ["Options", "generate"]


def generate(ctx, env):
    for row in train_rows(ctx, CLIP):
        clip = json.loads(row["subject"])
        labels = clip["labels"]
        k = env.rng.randrange(len(labels))
        wrong = [a for a in UNIT_LABELS if a not in labels]
        env.rng.shuffle(wrong)
        question = (f"These {len(clip['frames'])} frames are {len(labels)} short moments of different people, two "
                    f"frames each, one after another. What happens in the {ordinal(k)} moment?")
        yield Draft("normal", clip["frames"], question, option(labels[k]), [option(a) for a in wrong[:3]],
                    {"units": clip["units"], "label_source": row["label_source"], "proxy": "FGQA"})
