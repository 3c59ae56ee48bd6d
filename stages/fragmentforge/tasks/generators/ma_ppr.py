"""MA-Bench PPR: which of the named person's body regions (head, torso, arms, legs) moves the
most, by the teacher's caption (one must stand out). The judge's reflection verification checks
it against the descriptors."""
from fragmentforge.microactions import questions as q
from fragmentforge.microactions.tasking import shown
from fragmentforge.microactions.vocabulary import REGIONS

LEVEL, COLUMN, ORDER = "ma_bench", "PPR", 6
DESCRIPTION = "MA-Bench primary part: which of a named person's body regions (head, torso, arms, legs) moves most."
QUESTION = "Which part of their body moves the most?"


def _text(region: str) -> str:
    return {"head": "The head", "torso": "The torso", "arms": "The arms", "legs": "The legs"}[region]


def generate(ctx, env):
    for s in shown(ctx, env):
        region = q.primary_region(s.item.caption)
        if region is None:
            continue
        yield s.draft(QUESTION, _text(region), [_text(r) for r in REGIONS if r != region], region=region)
