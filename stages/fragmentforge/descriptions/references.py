"""Reference events: what a full description of a video states. A people-world clip's come from
its AVA rows; a real video's from its description manifest (descriptions/manifest.py).

An event is a run of consecutive keyframes where a person's rows carry one action, widened by
half a keyframe gap either side (as MA-Bench's instances are), with the person named by where
they stand throughout it. Static states (`static`, standing by default) are not events, as
Tarsier2's event definition leaves out what does not change; an event whose person cannot be
named the same way over its whole span is dropped and counted.
"""
from __future__ import annotations

from fragmentforge.descriptions.events import Event
from fragmentforge.layout import DESCRIBED
from fragmentforge.microactions.instances import action_runs
from fragmentforge.microactions.questions import who

STATIC = ("stand",)


def events_of(truth: dict, static: tuple[str, ...] = STATIC) -> tuple[list[Event], int]:
    """(events in the order they start, events left out because their person had no one name)."""
    events, unnamed = [], 0
    for person_id, action, seconds, gap in action_runs(truth, lambda name: name not in static):
        start, end = max(0.0, seconds[0] - gap / 2), seconds[-1] + gap / 2
        name = who(truth, person_id, seconds[0], seconds[-1])
        if name is None:
            unnamed += 1
            continue
        events.append(Event(name, action, start, end))
    return sorted(events, key=lambda e: (e.start_s, e.end_s, e.who, e.action)), unnamed


def reference_events(truth: dict | None, static: tuple[str, ...] = STATIC) -> list[Event]:
    """A video's events in the order they start: its manifest's sentences, else its AVA rows'."""
    if not truth:
        return []
    if truth.get(DESCRIBED):
        events = [Event("", "", e["start_s"], e["end_s"], e["text"]) for e in truth[DESCRIBED]["events"]]
        return sorted(events, key=lambda e: (e.start_s, e.end_s))  # stable: a manifest's ties keep its order
    return events_of(truth, static)[0] if truth.get("keyframes") else []
