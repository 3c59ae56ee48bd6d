"""MA-Bench MAS: the order of a named person's actions. A span covering two of their consecutive
instances asks what comes after the first."""
import re

from fragmentforge.microactions import questions as q
from fragmentforge.microactions.recheck import chosen_action
from fragmentforge.microactions.tasking import shown

LEVEL, COLUMN, ORDER = "ma_bench", "MAS", 5
DESCRIPTION = "MA-Bench action sequence: what a named person does after their first micro-action in the span."
CHECK_DESCRIPTION = ("Re-read from the AVA rows in the question's span: the person does exactly the asked-about action "
                     "and then the answer, in that order, and no distractor.")
_AFTER = re.compile(r"^They do two things here\. What comes after (.+)\?$")


def generate(ctx, env):
    items = q.captioned(ctx)
    for first, second in zip(items, items[1:]):
        if first.person_id != second.person_id or first.action == second.action:
            continue
        for s in shown(ctx, env, first.start_s, second.end_s, items=[first]):
            if [a for _, a in s.done] != [first.action, second.action]:
                continue
            done = {first.action, second.action}
            yield s.draft(f"They do two things here. What comes after {q.phrase(first.action)}?",
                          q.option(second.action),
                          [q.option(a) for a in q.action_distractors(second.action, done, env.rng)],
                          then=second.action)


def check(record, media):
    found = chosen_action(record, media)
    if found is None:
        return False
    rest, order, answer = found
    m = _AFTER.match(rest)
    return m is not None and len(order) == 2 and q.phrase(order[0]) == m.group(1) and order[1] == answer
