"""MA-Bench FMAR: which action the named person does, against similar actions they do not do
in the span."""
from fragmentforge.microactions import questions as q
from fragmentforge.microactions.recheck import chosen_action
from fragmentforge.microactions.tasking import shown

LEVEL, COLUMN, ORDER = "ma_bench", "FMAR", 2
DESCRIPTION = "MA-Bench fine recognition: a named person's micro-action among similar ones."
CHECK_DESCRIPTION = "Re-read from the AVA rows in the question's span: the answer is done there and no distractor is."
QUESTION = "Which action do they perform?"


def generate(ctx, env):
    for s in shown(ctx, env):
        done = {a for _, a in s.done}
        if len(done) != 1:
            continue  # two actions in the span: MAS asks about those
        yield s.draft(QUESTION, q.option(s.item.action),
                      [q.option(a) for a in q.action_distractors(s.item.action, done, env.rng)])


def check(record, media):
    found = chosen_action(record, media)
    if found is None:
        return False
    rest, done, answer = found
    return rest == QUESTION and set(done) == {answer}
