"""FineBench-style questions about one person at one keyframe (FineBench §3.2), as pure functions.

- Persons are named from their boxes: "the person" alone; "the person on the left/right" for
  two; "the leftmost / second from the left / ... person" for three or more. `resolve` reads
  an expression back against boxes, so a gate can check that it picks exactly one person.
- Several templates per category.
- Four options: the truth, then distractors from the similarity map, then the same category;
  never an action the person is doing in that frame.
- Concurrent actions of one category make a compound question with compound distractors.
- Everything is derived from a keyframe's AVA rows (each person's box and action names), so a
  gate can re-derive the answer from the rows alone (`answer_from_keyframe`). AVA rows do not
  say who an interaction is with, so options say "someone".
"""
from __future__ import annotations

import random
import re

from fragmentforge.synthetic.people.vocabulary import (BY_NAME, CATEGORIES, MICRO, OBJECT, PERSON, POSE, VOCABULARY,
                                                       ActionLabel, similar)

TEMPLATES = {
    POSE: ("How would you describe the movement of {person}?", "What is {person} doing with their body?",
           "Which best describes the posture or motion of {person}?", "What movement is {person} making?",
           "At this moment, what is {person} doing?", "Which of these describes how {person} is moving?"),
    OBJECT: ("How is {person} interacting with the object?", "What is {person} doing with the object?",
             "Which best describes what {person} does with the item?", "What is {person} doing to the object?",
             "How is {person} handling the object?", "What object action is {person} performing?"),
    PERSON: ("What is {person} doing with respect to another person?", "How is {person} interacting with others?",
             "Which best describes what {person} is doing towards someone else?",
             "What social action is {person} performing?", "How does {person} engage with another person?",
             "What is {person} doing in relation to the others?"),
    MICRO: ("What small movement is {person} making?", "Which subtle action does {person} perform?",
            "What brief gesture is {person} making?", "Which small motion describes {person}?"),
}
ORDINALS = ("leftmost", "second from the left", "third from the left", "fourth from the left")
MIN_GAP = 4.0  # pixels between box centres: closer than this, left-to-right order is not visible
MIN_GAP_NORMALISED = 0.03  # the same for boxes in fractions of the width (4 pixels at 128)
FRAMING = "These {n} frames are centred on one moment: answer for frame {middle}, the middle one. "
_FRAMING = re.compile(r"^These (\d+) frames are centred on one moment: answer for frame (\d+), the middle one\. (.*)$",
                      re.S)


def _centre_x(box) -> float:
    return (box[0] + box[2]) / 2


def refer(boxes: dict[int, list], person: int, min_gap: float = MIN_GAP) -> str | None:
    """The spatial name of `person` among the people with boxes, or None if it would be
    ambiguous. `min_gap` is in the boxes' unit (pixels; 4 / width for normalised boxes)."""
    visible = sorted((pid for pid, b in boxes.items() if b is not None), key=lambda p: _centre_x(boxes[p]))
    if person not in visible:
        return None
    centres = [_centre_x(boxes[p]) for p in visible]
    if any(b - a < min_gap for a, b in zip(centres, centres[1:])):
        return None
    rank = visible.index(person)
    if len(visible) == 1:
        return "the person"
    if len(visible) == 2:
        return "the person on the left" if rank == 0 else "the person on the right"
    if rank == len(visible) - 1:
        return "the rightmost person"
    if rank == len(visible) - 2 and len(visible) > 3:
        return "the second person from the right"
    return "the leftmost person" if rank == 0 else f"the {ORDINALS[rank].replace(' from', ' person from', 1)}"


def resolve(expression: str, boxes: dict[int, list], min_gap: float = MIN_GAP) -> list[int]:
    """Every person the expression can name (a gate wants exactly one)."""
    return [pid for pid in boxes if boxes[pid] is not None and refer(boxes, pid, min_gap) == expression]


def option_text(action: ActionLabel) -> str:
    return action.phrase[0].upper() + action.phrase[1:]


def compound_text(actions: list[ActionLabel]) -> str:
    first, second = actions
    return f"{option_text(first)} and {second.phrase}"


def distractors(truth: list[ActionLabel], doing: set[str], rng: random.Random, count: int = 3) -> list[ActionLabel]:
    """Single-action distractors: the similarity map first, then the same category; never an
    action the person is doing."""
    category = truth[0].category
    pool = [a for a in similar(truth[0]) if a.name not in doing and a.category == category]
    rng.shuffle(pool)
    rest = [a for a in VOCABULARY if a.category == category and a.name not in doing and a not in pool]
    rng.shuffle(rest)
    extra = [a for a in similar(truth[0]) if a.name not in doing and a not in pool]  # similar, other category
    return (pool + rest + extra)[:count]


def _category_actions(person: dict, category: str) -> list[ActionLabel]:
    """The person's actions of one category, by id; names outside the vocabulary are skipped."""
    known = (BY_NAME[a["name"]] for a in person["actions"] if a["name"] in BY_NAME)
    return sorted((a for a in known if a.category == category), key=lambda a: a.id)


def _correct_text(labels: list[ActionLabel]) -> str:
    return option_text(labels[0]) if len(labels) == 1 else compound_text(labels[:2])


def named_person(expression: str, people: list[dict], min_gap: float = MIN_GAP):
    """The one person (row group) an expression names at a keyframe: (person, None), or (None, reason)."""
    named = resolve(expression, {p["person_id"]: p["box"] for p in people}, min_gap)
    if len(named) != 1:
        return None, f"{expression!r} names {len(named)} people in this frame"
    return next(p for p in people if p["person_id"] == named[0]), None


def answer_from_keyframe(expression: str, category: str, people: list[dict], min_gap: float = MIN_GAP):
    """The correct option, re-derived from a keyframe's rows: (text, None), or (None, reason)."""
    person, reason = named_person(expression, people, min_gap)
    if person is None:
        return None, reason
    labels = _category_actions(person, category)
    if not labels:
        return None, f"{expression} does nothing of the category {category!r} here"
    return _correct_text(labels), None


def question_for(person: dict, boxes: dict[int, list], category: str, rng: random.Random,
                 min_gap: float = MIN_GAP, standing_kept: float = 0.5):
    """One question (dict) about `person` (a keyframe row group: person_id, box, action names)
    in `category`, or None. Someone stands in most frames: only `standing_kept` of the
    questions whose answer would be "Standing" are asked."""
    name = refer(boxes, person["person_id"], min_gap)
    labels = _category_actions(person, category)
    if name is None or not labels or (labels[0].name == "stand" and len(labels) == 1
                                      and rng.random() >= standing_kept):
        return None
    doing = {a["name"] for a in person["actions"]}
    rule = "similarity map" if similar(labels[0]) else "same category"
    correct = _correct_text(labels)
    if len(labels) == 1:
        others = distractors(labels, doing, rng)
        options = [option_text(a) for a in others]
        kind = "single"
    else:
        labels = labels[:2]
        firsts, seconds = distractors([labels[0]], doing, rng, 2), distractors([labels[1]], doing, rng, 2)
        options = [compound_text([firsts[0], labels[1]]), compound_text([labels[0], seconds[0]]),
                   compound_text([firsts[1], seconds[1]])]
        others = [firsts[0], seconds[0], firsts[1], seconds[1]]
        kind = "compound"
    if len(set(options + [correct])) < 4:
        return None
    template = rng.choice(TEMPLATES[category])
    return {"question": template.format(person=name), "answer": correct, "distractors": options,
            "category": category, "kind": kind, "person_id": person["person_id"], "person": name,
            "actions": [a.name for a in labels], "distractor_actions": [a.name for a in others],
            "distractor_rule": rule, "people_in_frame": sum(1 for b in boxes.values() if b is not None)}


def questions_at(frame: dict, rng: random.Random, min_gap: float = MIN_GAP, standing_kept: float = 0.5) -> list[dict]:
    """Every question one keyframe supports: per person and category."""
    boxes = {p["person_id"]: p["box"] for p in frame["people"]}
    out = []
    for person in frame["people"]:
        for category in CATEGORIES:
            q = question_for(person, boxes, category, rng, min_gap, standing_kept)
            if q is not None:
                out.append(q)
    return out


def framed(question: str, frames: int) -> str:
    """The question as shown with a window of frames: which frame it is about comes first."""
    return FRAMING.format(n=frames, middle=frames // 2 + 1) + question


def _template_pattern(template: str) -> re.Pattern:
    head, tail = template.split("{person}")
    return re.compile(f"^{re.escape(head)}(?P<person>.+?){re.escape(tail)}$")


_PATTERNS = [(category, _template_pattern(t)) for category, templates in TEMPLATES.items() for t in templates]


def parse_question(text: str):
    """(category, referring expression, frames, middle frame number) read back from a framed
    question's text alone, or None when it follows no template."""
    framing = _FRAMING.match(text)
    if framing is None:
        return None
    frames, middle, question = int(framing.group(1)), int(framing.group(2)), framing.group(3)
    for category, pattern in _PATTERNS:
        match = pattern.match(question)
        if match:
            return category, match.group("person"), frames, middle
    return None


def true_options(person: dict, category: str) -> set[str]:
    """Every option text that would be right about this person in this category: each action
    alone, and each pair in id order."""
    labels = _category_actions(person, category)
    singles = {option_text(a) for a in labels}
    return singles | {compound_text([a, b]) for i, a in enumerate(labels) for b in labels[i + 1:]}


def recheck(question: str, answer_text: str, options: list[str], people: list[dict],
            min_gap: float = MIN_GAP_NORMALISED) -> str | None:
    """Why a framed question does not hold against its keyframe's rows, or None if it does: the
    expression names exactly one person, the answer re-derived from the rows is answer_text, and
    no other option is true of that person (in any category)."""
    parsed = parse_question(question)
    if parsed is None:
        return "the question follows no FineBench template"
    category, expression, _, _ = parsed
    answer, reason = answer_from_keyframe(expression, category, people, min_gap)
    if answer is None:
        return reason
    if answer != answer_text:
        return f"the rows give {answer!r}, the record says {answer_text!r}"
    person, _ = named_person(expression, people, min_gap)
    true = set().union(*(true_options(person, c) for c in CATEGORIES))
    wrong = true & (set(options) - {answer_text})
    return f"distractors true of {expression}: {sorted(wrong)}" if wrong else None
