"""The open-ended judge: a model's free answer scored 0-5 on three levels against the reference
(the teacher's structured caption), with the rubric in teacher/prompts/open_answer_judge.md.

The ground-truth judge applies the rubric mechanically, by words: whether the action and body
level are named, whether each clearly moving part is named with its direction (a wrong direction
counts against), and whether the parts come in the caption's order of prominence. A model judge
reads the same rubric; the report compares the two where both ran.
"""
from __future__ import annotations

import re

from fragmentforge.microactions import questions as q
from fragmentforge.microactions.vocabulary import BODY_LEVEL, BODY_LEVELS
from fragmentforge.synthetic.people.vocabulary import BY_NAME, similar
from fragmentforge.teacher.request import TeacherRequest, prompt_text

KIND = "open_answer_judge"
LEVEL_SCORE = {"type": "integer", "minimum": 0, "maximum": 5}
SCHEMA = {"type": "object", "additionalProperties": False, "required": ["l1", "l2", "l3", "reason"],
          "properties": {"l1": LEVEL_SCORE, "l2": LEVEL_SCORE, "l3": LEVEL_SCORE, "reason": {"type": "string"}}}
PART_WORDS = {"head": ("head", "face", "chin"), "torso": ("torso", "shoulders", "chest", "upper body", "trunk"),
              "left arm": ("left arm", "left hand", "left elbow"), "right arm": ("right arm", "right hand", "right elbow"),
              "left leg": ("left leg", "left foot", "left knee"), "right leg": ("right leg", "right foot", "right knee")}
DIRECTION_WORDS = {"up": ("up", "upward", "upwards", "raise", "raises", "lifts", "rises"),
                   "down": ("down", "downward", "downwards", "lower", "lowers", "drops", "falls"),
                   "left": ("to the left", "leftward", "leftwards", "towards the left"),
                   "right": ("to the right", "rightward", "rightwards", "towards the right"),
                   "mixed": ("back and forth", "up and down", "side to side", "to and fro")}


def request(item_id: str, task: str, question: str, reference: dict, answer: str) -> TeacherRequest:
    text = prompt_text(KIND, task=task.split("_")[-1].upper(), question=question, reference=reference["caption"],
                       level=reference["body_level"], action=q.phrase(reference["action"]), answer=answer or "(empty)")
    return TeacherRequest(item_id, KIND, text, SCHEMA, subject={"task": task, "reference": reference, "answer": answer})


def _clauses(text: str) -> list[str]:
    return [c for c in re.split(r"[.;,!?]| and then | while ", text.lower()) if c.strip()]


def _has(text: str, words) -> bool:
    return any(re.search(rf"\b{re.escape(w)}\b", text) for w in words)


def _stem(action: str) -> str:
    word = BY_NAME[action].phrase.split()[0]
    return word[:-3] if word.endswith("ing") else word


def _names_action(text: str, action: str) -> bool:
    return re.search(rf"\b{re.escape(_stem(action))}", text) is not None


def direction_credit(answer: str, reference: dict) -> tuple[float, list[str]]:
    """Mean credit over the clearly moving parts: 1 named with its direction, 0.25 named alone,
    -0.5 named with another direction; and the parts in the order the answer names them."""
    clauses = _clauses(answer)
    moving = [p for p in reference["parts"] if p["amount"] in ("clear", "large") and p["direction"] != "still"]
    credits, order = [], []
    for part in moving:
        said = [c for c in clauses if _has(c, PART_WORDS[part["part"]])]
        if not said:
            credits.append(0.0)
            continue
        order.append((min(answer.lower().find(w) for w in PART_WORDS[part["part"]] if w in answer.lower()),
                      part["part"]))
        right = any(_has(c, DIRECTION_WORDS[part["direction"]]) for c in said)
        wrong = any(_has(c, DIRECTION_WORDS[d]) for c in said for d in DIRECTION_WORDS if d != part["direction"])
        credits.append(1.0 if right and not wrong else -0.5 if wrong and not right else 0.25)
    mean = sum(credits) / len(credits) if credits else 0.0
    return max(0.0, mean), [p for _, p in sorted(order)]


def _order_score(named: list[str], reference: dict) -> int:
    rank = {"large": 0, "clear": 1, "slight": 2, "still": 3}
    prominence = [p["part"] for p in sorted(reference["parts"], key=lambda p: rank[p["amount"]])]
    if len(named) < 2:
        return 2 if named else 0
    pairs = [(a, b) for i, a in enumerate(named) for b in named[i + 1:]]
    concordant = sum(prominence.index(a) <= prominence.index(b) for a, b in pairs)
    return round(5 * concordant / len(pairs))


def ground_truth_scores(subject: dict) -> dict:
    task, reference, answer = subject["task"], subject["reference"], (subject["answer"] or "").lower()
    action, level = reference["action"], reference["body_level"]
    credit, named = direction_credit(answer, reference)
    if task == "ma_madu":
        l1 = 5 if _names_action(answer, action) else 2 if _has(answer, [level]) or named else 0
        l2, l3 = round(5 * credit), _order_score(named, reference)
    else:
        levels = [b for b in BODY_LEVELS if _has(answer, [b])]
        l1 = 5 if levels == [level] else 2 if level in levels else 0
        l2 = 5 if _names_action(answer, action) else 1 if any(
            _names_action(answer, a.name) for a in similar(BY_NAME[action]) if a.name in BODY_LEVEL) else 0
        l3 = round(5 * credit)
    return {"l1": l1, "l2": l2, "l3": l3,
            "reason": f"action named: {_names_action(answer, action)}; parts named: {', '.join(named) or 'none'}; "
                      f"direction credit {credit:.2f}"}


ANSWERERS = {KIND: ground_truth_scores}
