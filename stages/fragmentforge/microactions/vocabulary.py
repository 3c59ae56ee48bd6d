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

# Body regions, for "which moves most": a region moves as much as its most moving part.
REGIONS = {"head": ("head",), "torso": ("torso",), "arms": ("left arm", "right arm"), "legs": ("left leg", "right leg")}


def region_magnitudes(parts: dict[str, dict]) -> dict[str, float]:
    return {region: max(parts[p]["magnitude"] for p in members if p in parts)
            for region, members in REGIONS.items() if any(p in parts for p in members)}
