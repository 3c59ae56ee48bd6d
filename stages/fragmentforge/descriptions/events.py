"""Events as a description states them, in the people world's words, with or without Tarsier2's
frame grounding (`<frame: i-j>` before each event, i..j 1-based over the frames shown).

A world event is one person doing one action over a span of seconds. Its sentence is "<who> is
<phrase>." with the vocabulary's phrase ("The person on the left is walking."), so the
ground-truth judge can read a model's sentence back into (who, action) without a model. An event
from a description manifest (a real video's reference) is its own sentence, `text`, and only a
model judge can check it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from fragmentforge.synthetic.people.vocabulary import BY_NAME

GROUNDING = re.compile(r"<frame:\s*(\d+)\s*-\s*(\d+)>")
BY_PHRASE = {label.phrase: name for name, label in BY_NAME.items()}


@dataclass(frozen=True)
class Event:
    who: str  # how the description names the person ("the person on the left")
    action: str  # a vocabulary name ("walk")
    start_s: float
    end_s: float
    text: str = ""  # a manifest's own sentence; empty for a world event

    @property
    def key(self) -> tuple[str, str]:
        return self.who.lower(), self.action


def sentence(event: Event) -> str:
    if event.text:
        return event.text
    return f"{event.who[:1].upper()}{event.who[1:]} is {BY_NAME[event.action].phrase}."


def spans(events: list[Event], times: list[float]) -> list[tuple[int, int]]:
    """For each event (in the order they start), the first and last shown frame (1-based) inside
    its span; an event between two shown frames gets the one nearest its middle, but never one
    before the previous event's first frame, so the spans stay in order."""
    out = []
    for e in events:
        inside = [k + 1 for k, t in enumerate(times) if e.start_s - 1e-6 <= t <= e.end_s + 1e-6]
        if not inside:
            middle = (e.start_s + e.end_s) / 2
            nearest = min(range(len(times)), key=lambda k: abs(times[k] - middle)) + 1
            inside = [max(nearest, out[-1][0] if out else 1)]
        out.append((inside[0], inside[-1]))
    return out


def plain_text(events: list[Event]) -> str:
    return " ".join(sentence(e) for e in events)


def grounded_text(events: list[Event], frame_spans: list[tuple[int, int]]) -> str:
    return " ".join(f"<frame: {i}-{j}> {sentence(e)}" for e, (i, j) in zip(events, frame_spans))


def strip_grounding(text: str) -> str:
    return re.sub(r"\s+", " ", GROUNDING.sub(" ", text)).strip()


def grounded_spans(text: str) -> list[tuple[int, int]]:
    return [(int(i), int(j)) for i, j in GROUNDING.findall(text)]


def span_problems(text: str, shown: int) -> list[str]:
    """What is wrong with a grounded text's spans: outside 1..shown, backwards, or out of order."""
    found = grounded_spans(text)
    problems = [f"span {i}-{j} is outside frames 1-{shown}" for i, j in found if not 1 <= i <= j <= shown]
    problems += [f"span {i}-{j} is backwards" for i, j in found if i > j]
    problems += [f"span {b[0]}-{b[1]} starts before the span {a[0]}-{a[1]} ahead of it"
                 for a, b in zip(found, found[1:]) if b[0] < a[0]]
    if not found:
        problems.append("no <frame: i-j> span")
    return problems


def sentences(text: str) -> list[str]:
    """A description's sentences, grounding markers left out."""
    return [part.strip() for part in re.split(r"(?<=[.!?])\s+", strip_grounding(text)) if part.strip()]


def read_event(text: str) -> tuple[str, str] | None:
    """The (who, action) a sentence states in the vocabulary's words, else None."""
    match = re.fullmatch(r"(.+?) is (.+?)[.!?]?", text.strip())
    action = BY_PHRASE.get(match.group(2).strip().lower()) if match else None
    return (match.group(1).strip().lower(), action) if action else None


def read_events(text: str) -> list[tuple[str, str] | None]:
    """The (who, action) each sentence states, in order; None for a sentence in other words."""
    return [read_event(part) for part in sentences(text)]
