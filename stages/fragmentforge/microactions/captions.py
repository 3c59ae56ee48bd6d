"""Structured micro-action captions (MA-Bench §3.4 ①): the teacher's request per instance, and
the ground-truth teacher's reply (labels from the AVA rows, motion from the measured descriptors)."""
from __future__ import annotations

from fragmentforge.microactions.descriptors import as_text, level, main_direction
from fragmentforge.microactions.instances import Instance
from fragmentforge.microactions.vocabulary import BODY_LEVEL, BODY_LEVELS, REGIONS, region_magnitudes
from fragmentforge.motion.body_parts import DIRECTIONS, PARTS
from fragmentforge.synthetic.people.vocabulary import BY_NAME
from fragmentforge.teacher.ground_truth import MissingAnnotation
from fragmentforge.teacher.request import TeacherRequest, prompt_text

KIND = "micro_action_caption"
SCHEMA = {
    "type": "object", "additionalProperties": False,
    "required": ["body_level", "action", "parts", "primary_region", "caption"],
    "properties": {
        "body_level": {"enum": list(BODY_LEVELS)},
        "action": {"enum": sorted(BODY_LEVEL)},
        "parts": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["part", "direction", "amount"],
            "properties": {"part": {"enum": list(PARTS)}, "direction": {"enum": [*DIRECTIONS, "mixed", "still"]},
                           "amount": {"enum": ["still", "slight", "clear", "large"]}}}},
        "primary_region": {"enum": [*REGIONS, "none"]},
        "caption": {"type": "string", "minLength": 10},
    },
}


def request(instance: Instance, parts: dict[str, dict], label_hint: str | None,
            span: tuple[float, float]) -> TeacherRequest:
    """`label_hint`: the dataset's action label, when it has one (MA-52's videos do); `span`: the
    seconds the descriptors were pooled over."""
    text = prompt_text(KIND, descriptors=as_text(parts), label=label_hint or "unknown",
                       seconds=f"{span[0]:.2f} to {span[1]:.2f}", actions=", ".join(sorted(BODY_LEVEL)),
                       levels=", ".join(BODY_LEVELS))
    return TeacherRequest(instance.instance_id, KIND, text, SCHEMA,
                          subject={"action": instance.action, "parts": parts})


def ground_truth_caption(subject: dict) -> dict:
    action, parts = subject["action"], subject["parts"]
    if not parts:
        raise MissingAnnotation("no body part has motion descriptors in this span")
    described = [{"part": p, "direction": main_direction(d), "amount": level(d["magnitude"])}
                 for p, d in parts.items()]
    moving = sorted((d for d in described if d["amount"] != "still"), key=lambda d: -parts[d["part"]]["magnitude"])
    if moving:
        motion = "; ".join(f"the {d['part']} moves {_way(d['direction'])} ({d['amount']})" for d in moving[:3])
    else:
        motion = "no body part moves more than slightly"
    body = BODY_LEVEL[action]
    caption = f"The person is {BY_NAME[action].phrase}, {'an' if body[0] in 'aeiou' else 'a'} {body} action: {motion}."
    return {"body_level": BODY_LEVEL[action], "action": action, "parts": described,
            "primary_region": primary(parts), "caption": caption}


def _way(direction: str) -> str:
    return "back and forth" if direction == "mixed" else direction


PRIMARY_MARGIN = 1.1  # the region that moves most, when it moves this many times the runner-up


def primary(parts: dict[str, dict]) -> str:
    ranked = sorted(region_magnitudes(parts).items(), key=lambda kv: -kv[1])
    if not ranked or level(ranked[0][1]) in ("still", "slight"):
        return "none"
    if len(ranked) > 1 and ranked[0][1] < PRIMARY_MARGIN * ranked[1][1]:
        return "none"
    return ranked[0][0]


ANSWERERS = {KIND: ground_truth_caption}
