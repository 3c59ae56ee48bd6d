"""The actions MA-Bench asks about, each with its body-level (coarse) label.

MA-52 pairs 52 action-level labels with 7 body-level ones; the people world's whole-body and
limb movements and its micro-actions map onto five body levels here.
"""
from __future__ import annotations

HEAD, UPPER, LOWER, TORSO, BODY = "head", "upper limb", "lower limb", "torso", "whole body"
BODY_LEVELS = (HEAD, UPPER, LOWER, TORSO, BODY)

BODY_LEVEL = {
    "nod": HEAD, "shake head": HEAD,
    "raise an arm": UPPER, "lower an arm": UPPER, "touch face": UPPER, "fidget": UPPER,
    "raise a leg": LOWER, "lower a leg": LOWER, "tap foot": LOWER,
    "shrug": TORSO, "bend": TORSO, "turn around": TORSO,
    "sit": BODY, "crouch": BODY, "jump": BODY, "fall": BODY, "lie down": BODY,
}
