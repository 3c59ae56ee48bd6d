"""The people world's action vocabulary: AVA's three categories plus MA-Bench-style micro-actions.

Ids are stable (AVA-format files store them). `SIMILAR` is the semantic-similarity map that
FineBench draws distractors from: actions a viewer could mistake for each other, the
easy-to-confuse pairs first (carry vs lift, sit vs crouch, push vs pull).
"""
from __future__ import annotations

from dataclasses import dataclass

POSE, OBJECT, PERSON, MICRO = "person movement", "object manipulation", "person interaction", "micro-action"
CATEGORIES = (POSE, OBJECT, PERSON, MICRO)


@dataclass(frozen=True)
class ActionLabel:
    id: int
    name: str  # as the action list of the AVA-format files says it
    category: str
    phrase: str  # how an answer option says it ("walking")


def _labels(category: str, first_id: int, rows: list[tuple[str, str]]) -> list[ActionLabel]:
    return [ActionLabel(first_id + i, name, category, phrase) for i, (name, phrase) in enumerate(rows)]


VOCABULARY = tuple(
    _labels(POSE, 1, [
        ("stand", "standing"), ("sit", "sitting"), ("walk", "walking"), ("bend", "bending over"),
        ("crouch", "crouching"), ("lie down", "lying down"), ("fall", "falling down"), ("jump", "jumping"),
        ("turn around", "turning around"), ("raise an arm", "raising an arm"), ("lower an arm", "lowering an arm"),
        ("raise a leg", "raising a leg"), ("lower a leg", "lowering a leg"),
    ])
    + _labels(OBJECT, 21, [
        ("pick up", "picking something up"), ("put down", "putting something down"), ("carry", "carrying something"),
        ("lift", "lifting something"), ("throw", "throwing something"), ("hold", "holding something"),
        ("push an object", "pushing something"), ("pull an object", "pulling something"),
    ])
    + _labels(PERSON, 41, [
        ("hand something to", "handing something to someone"), ("hug", "hugging someone"),
        ("push a person", "pushing someone"), ("point at", "pointing at someone"), ("wave at", "waving at someone"),
        ("watch", "watching someone"), ("approach", "walking towards someone"),
        ("walk away from", "walking away from someone"),
    ])
    + _labels(MICRO, 61, [
        ("nod", "nodding"), ("shake head", "shaking their head"), ("shrug", "shrugging"),
        ("touch face", "touching their face"), ("tap foot", "tapping a foot"), ("fidget", "fidgeting"),
    ])
)
BY_NAME = {a.name: a for a in VOCABULARY}
BY_ID = {a.id: a for a in VOCABULARY}


# Similar actions, each list most confusable first.
SIMILAR = {
    "carry": ["lift", "hold", "pick up"], "lift": ["carry", "pick up", "hold"], "hold": ["carry", "lift", "put down"],
    "pick up": ["put down", "lift", "bend"], "put down": ["pick up", "hold", "bend"],
    "push an object": ["pull an object", "carry"], "pull an object": ["push an object", "carry"],
    "throw": ["put down", "lift"],
    "sit": ["crouch", "stand", "lie down"], "crouch": ["sit", "bend", "stand"], "bend": ["crouch", "pick up", "stand"],
    "stand": ["walk", "sit", "crouch"], "walk": ["stand", "approach", "walk away from"], "lie down": ["sit", "fall"],
    "fall": ["lie down", "crouch", "jump"], "jump": ["raise a leg", "walk", "fall"],
    "turn around": ["walk", "shake head"], "raise an arm": ["lower an arm", "wave at", "point at"],
    "lower an arm": ["raise an arm", "point at"], "raise a leg": ["lower a leg", "tap foot", "jump"],
    "lower a leg": ["raise a leg", "tap foot"],
    "hand something to": ["push a person", "point at", "hug"], "hug": ["push a person", "hand something to"],
    "push a person": ["hug", "hand something to", "approach"], "point at": ["wave at", "watch"],
    "wave at": ["point at", "raise an arm"], "watch": ["point at", "wave at"], "approach": ["walk away from", "walk"],
    "walk away from": ["approach", "walk"],
    "nod": ["shake head", "shrug"], "shake head": ["nod", "turn around"], "shrug": ["nod", "fidget"],
    "touch face": ["fidget", "raise an arm"], "tap foot": ["fidget", "raise a leg"], "fidget": ["touch face", "tap foot"],
}
assert set(SIMILAR) <= set(BY_NAME) and {n for v in SIMILAR.values() for n in v} <= set(BY_NAME)


def similar(action: ActionLabel) -> list[ActionLabel]:
    """The similarity map's entries for an action (may be empty)."""
    return [BY_NAME[name] for name in SIMILAR.get(action.name, [])]
