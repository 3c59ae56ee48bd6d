"""MA-Bench CMAR: which body level (head, upper limb, lower limb, torso, whole body) the person's
action uses. The answer comes from the dataset's action label; a span holding actions of two
body levels asks nothing."""
from fragmentforge.microactions.recheck import done_for
from fragmentforge.microactions.tasking import shown
from fragmentforge.microactions.vocabulary import BODY_LEVEL, BODY_LEVELS

LEVEL, COLUMN, ORDER = "ma_bench", "CMAR", 1
DESCRIPTION = "MA-Bench coarse recognition: the body level of a named person's micro-action."
CHECK_DESCRIPTION = "Re-read from the AVA rows in the question's span: the person does actions of one body level, the answer's."
QUESTION = "Which part of the body does their movement use?"


def _text(level: str) -> str:
    return level[0].upper() + level[1:]


def generate(ctx, env):
    for s in shown(ctx, env):
        levels = {BODY_LEVEL[a] for _, a in s.done}
        if levels != {BODY_LEVEL[s.item.action]}:
            continue
        wrong = [level for level in BODY_LEVELS if level not in levels]
        env.rng.shuffle(wrong)
        yield s.draft(QUESTION, _text(levels.pop()), [_text(w) for w in wrong[:3]])


def check(record, media):
    found = done_for(record, media)
    if found is None:
        return False
    rest, done = found
    levels = {BODY_LEVEL[a] for _, a in done}
    return rest == QUESTION and len(levels) == 1 and record.answer_text == _text(levels.pop())
