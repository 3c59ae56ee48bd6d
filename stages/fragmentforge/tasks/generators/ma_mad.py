"""MA-Bench MAD (yes/no): is the named person doing this action? Half the questions name their
action, half a similar one they do not do in the span."""
import re

from fragmentforge.microactions import questions as q
from fragmentforge.microactions.recheck import done_for
from fragmentforge.microactions.tasking import shown
from fragmentforge.microactions.vocabulary import BODY_LEVEL
from fragmentforge.tasks.record import NO, YES

LEVEL, COLUMN, ORDER = "ma_bench", "MAD", 4
DESCRIPTION = "MA-Bench action discrimination (yes/no, 50% chance): is a named person doing a given micro-action?"
CHECK_DESCRIPTION = "Re-read from the AVA rows in the question's span: Yes exactly when the asked action is done there."
_ASKED = re.compile(r"^Are they (.+)\?$")
BY_PHRASE = {q.phrase(a): a for a in BODY_LEVEL}


def generate(ctx, env):
    for s in shown(ctx, env):
        done = {a for _, a in s.done}
        asked, answer = s.item.action, YES
        if env.rng.random() < 0.5:
            others = q.action_distractors(s.item.action, done, env.rng, count=1)
            if not others:
                continue
            asked, answer = others[0], NO
        yield s.draft(f"Are they {q.phrase(asked)}?", answer, [NO if answer == YES else YES], asked=asked)


def check(record, media):
    found = done_for(record, media)
    if found is None:
        return False
    rest, done = found
    m = _ASKED.match(rest)
    if m is None or m.group(1) not in BY_PHRASE:
        return False
    truly = BY_PHRASE[m.group(1)] in {a for _, a in done}
    return record.answer_text == (YES if truly else NO)
