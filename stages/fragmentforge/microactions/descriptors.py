"""An instance's motion, per body part: the descriptor windows its span overlaps, pooled."""
from __future__ import annotations

from fragmentforge.motion.body_parts import DIRECTIONS, PARTS

STILL_BELOW = 0.15  # pixels a frame: a part moving less than this is still
LEVELS = ((0.15, "slight"), (0.6, "clear"), (1.5, "large"))  # mean magnitude thresholds, pixels a frame


def pooled(rows: list[dict], first: int, end: int) -> dict[str, dict]:
    """Per part: mean vector and magnitude (weighted by frame pairs) and direction shares
    (weighted by pairs and magnitude) over the windows overlapping frames [first, end)."""
    out = {}
    for part in PARTS:
        mine = [r for r in rows if r["part"] == part and r["start_frame"] < end and r["end_frame"] > first]
        pairs = sum(r["pairs"] for r in mine)
        if not pairs:
            continue
        weight = {id(r): r["pairs"] * r["magnitude"] for r in mine}
        total = sum(weight.values())
        out[part] = {
            "dx": round(sum(r["dx"] * r["pairs"] for r in mine) / pairs, 3),
            "dy": round(sum(r["dy"] * r["pairs"] for r in mine) / pairs, 3),
            "magnitude": round(sum(r["magnitude"] * r["pairs"] for r in mine) / pairs, 3),
            "directions": {d: round(sum(r[d] * weight[id(r)] for r in mine) / total, 3) if total else 0.0
                           for d in DIRECTIONS},
        }
    return out


def level(magnitude: float) -> str:
    name = "still"
    for threshold, label in LEVELS:
        if magnitude >= threshold:
            name = label
    return name


MAIN_SHARE = 0.45  # a direction is the part's own when it holds this share of its motion


def main_direction(part: dict) -> str:
    """The direction with the largest share; "mixed" when none holds MAIN_SHARE (a nod goes up and
    down), "still" when the part hardly moves."""
    if part["magnitude"] < STILL_BELOW:
        return "still"
    best = max(DIRECTIONS, key=lambda d: part["directions"][d])
    return best if part["directions"][best] >= MAIN_SHARE else "mixed"


def as_text(parts: dict[str, dict]) -> str:
    """The descriptors as the teacher's prompt shows them: one line per part."""
    lines = []
    for part, d in parts.items():
        shares = ", ".join(f"{k} {v:.2f}" for k, v in d["directions"].items())
        lines.append(f"- {part}: mean motion ({d['dx']:+.2f}, {d['dy']:+.2f}) px/frame (x right, y down), "
                     f"magnitude {d['magnitude']:.2f}, direction shares {shares}")
    return "\n".join(lines) or "- no body part was tracked"
