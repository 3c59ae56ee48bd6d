"""MA-Bench's closed-ended questions, built from the teacher's structured captions.

Every question is about one named person over one span of a labelled clip, shown as
`frames` evenly spaced frames of the clip set. The span is the instance's, widened to at least
`min_span_s`; any MA-Bench action the person does inside it (by the AVA rows) counts as
done there: it is never a distractor, and a span holding two actions of different body levels
asks no body-level question. The six tasks (the paper's figure defines them; the text here
does not, so these are this project's readings of the names):

  CMAR  coarse recognition: which body level (head, upper limb, lower limb, torso, whole body)
  FMAR  fine recognition: which action
  SAD   spatial direction, yes/no: does the person's most moving part move this way
  MAD   action discrimination, yes/no: is the person doing this action
  MAS   action sequence: what the person does after their first action in the span
  PPR   primary part: which body part moves the most
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass

import numpy as np

from fragmentforge.microactions.vocabulary import BODY_LEVEL, BODY_LEVELS
from fragmentforge.motion.body_parts import PARTS
from fragmentforge.synthetic.people.vocabulary import BY_NAME, similar
from fragmentforge.tasks.finebench_questions import MIN_GAP_NORMALISED, refer, resolve
from fragmentforge.tasks.record import NO, YES

KIND = "micro_action_caption"
OPPOSITE = {"right": "left", "left": "right", "up": "down", "down": "up"}
INTRO = "These {n} frames show {who} from {start:.2f} s to {end:.2f} s. "
_INTRO = re.compile(r"^These (\d+) frames show (.+?) from ([\d.]+) s to ([\d.]+) s\. (.*)$")


@dataclass(frozen=True)
class Captioned:
    """One teacher-captioned instance of a video, with what the question needs."""

    person_id: int
    action: str
    start_s: float
    end_s: float
    span: tuple  # the seconds its caption describes and its questions show
    seconds: tuple
    order: int
    caption: dict


def captioned(ctx) -> list[Captioned]:
    out = []
    for row in ctx.labels.get(KIND, ()):
        if row["status"] != "ok":
            continue
        s = json.loads(row["subject"])
        out.append(Captioned(row["person_id"], s["action"], s["start_s"], s["end_s"], tuple(s["span"]),
                             tuple(s["seconds"]), s["order"], json.loads(row["value"])))
    return sorted(out, key=lambda c: (c.person_id, c.order))


def phrase(action: str) -> str:
    return BY_NAME[action].phrase


def option(action: str) -> str:
    text = phrase(action)
    return text[0].upper() + text[1:]


def widen(start: float, end: float, least: float, duration: float) -> tuple[float, float]:
    if end - start < least:
        middle = (start + end) / 2
        start, end = middle - least / 2, middle + least / 2
    if start < 0:
        start, end = 0.0, min(duration, end - start)
    if end > duration:
        start, end = max(0.0, start - (end - duration)), duration
    return start, end


def span_frames(clip_set, start: float, end: float, n: int):
    """`n` evenly spaced (timestamp, path) of the clip set inside [start, end] seconds, else None.
    A span with fewer frames repeats some, as video LLMs' samplers do: every frame count asks the
    same questions, so MA-Bench's frames ablation compares like with like."""
    inside = [(t, path) for t, path in zip(clip_set.times, clip_set.paths) if start - 1e-6 <= t <= end + 1e-6]
    if not inside:
        return None
    picks = np.round(np.linspace(0, len(inside) - 1, n)).astype(int)
    return [inside[i] for i in picks]


def keyframes_in(truth: dict, start: float, end: float) -> list[dict]:
    return [k for k in truth.get("keyframes", ()) if start <= k["second"] <= end]


def done_in(truth: dict, person_id: int, start: float, end: float) -> list[tuple[float, str]]:
    """(first keyframe, action) of every MA-Bench action the person's rows show in the span."""
    first: dict[str, float] = {}
    for keyframe in keyframes_in(truth, start, end):
        for person in keyframe["people"]:
            if person["person_id"] == person_id:
                for a in person["actions"]:
                    if a["name"] in BODY_LEVEL:
                        first.setdefault(a["name"], keyframe["second"])
    return sorted((s, name) for name, s in first.items())


def who(truth: dict, person_id: int, start: float, end: float) -> str | None:
    """The person's spatial name, the same at every keyframe of the span, or None."""
    names = set()
    for keyframe in keyframes_in(truth, start, end):
        boxes = {p["person_id"]: p["box"] for p in keyframe["people"]}
        names.add(refer(boxes, person_id, MIN_GAP_NORMALISED))
    return names.pop() if len(names) == 1 and None not in names else None


def named_in_span(truth: dict, expression: str, start: float, end: float) -> list[int]:
    """Everyone the expression names at every keyframe of the span (a gate wants exactly one)."""
    found = None
    for keyframe in keyframes_in(truth, start, end):
        named = set(resolve(expression, {p["person_id"]: p["box"] for p in keyframe["people"]}, MIN_GAP_NORMALISED))
        found = named if found is None else found & named
    return sorted(found or ())


def action_distractors(true: str, done: set[str], rng: random.Random, count: int = 3) -> list[str]:
    similar_ones = [a.name for a in similar(BY_NAME[true]) if a.name in BODY_LEVEL and a.name not in done]
    rng.shuffle(similar_ones)
    rest = sorted(set(BODY_LEVEL) - done - set(similar_ones) - {true})
    rng.shuffle(rest)
    return (similar_ones + rest)[:count]


def primary_region(caption: dict) -> str | None:
    """The body region the caption says moves most, or None."""
    region = caption.get("primary_region")
    return None if region in (None, "none") else region


def parse(question: str):
    """(n, expression, start, end, rest) of an MA-Bench question, or None."""
    m = _INTRO.match(question)
    return None if m is None else (int(m.group(1)), m.group(2), float(m.group(3)), float(m.group(4)), m.group(5))


__all__ = ["BODY_LEVELS", "Captioned", "INTRO", "NO", "OPPOSITE", "PARTS", "YES", "action_distractors",
           "captioned", "done_in", "keyframes_in", "named_in_span", "option", "parse", "phrase", "primary_region",
           "span_frames", "who", "widen"]
