"""The gate's view of an MA-Bench record: re-read the person and the span from the question, check
the frames lie inside the span, and list what that person's AVA rows show there."""
from __future__ import annotations

from fragmentforge.microactions import questions as q
from fragmentforge.microactions.vocabulary import BODY_LEVEL

BY_OPTION = {q.option(a): a for a in BODY_LEVEL}


def done_for(record, media):
    """(the question after its intro, [(first second, action)] done in the span), or None when the
    record does not name exactly one person or shows frames outside its span."""
    truth = media.truth(record.video_id)
    parsed = q.parse(record.question)
    fps = media.fps(record.video_id)
    if not truth or "keyframes" not in truth or parsed is None or not fps:
        return None
    n, expression, start, end, rest = parsed
    positions = media.positions(record)
    slack = 0.0051  # the question gives the span to a hundredth of a second
    if len(positions) != n or any(p is None or not start - slack <= p / fps <= end + slack for p in positions):
        return None
    named = q.named_in_span(truth, expression, start, end)
    if len(named) != 1:
        return None
    return rest, q.done_in(truth, named[0], start, end)


def actions_of(options) -> list | None:
    names = [BY_OPTION.get(o) for o in options]
    return None if None in names else names


def chosen_action(record, media):
    """(the question after its intro, the actions done in order, the answer's action) for a
    question whose options are actions, or None."""
    found = done_for(record, media)
    names = actions_of(record.options)
    if found is None or names is None:
        return None
    rest, done = found
    return rest, [a for _, a in done], names[list(record.options).index(record.answer_text)]
