"""Reflection verification (MA-Bench §3.4 ②): the judge checks each generated question against the
measured motion descriptors and the dataset's labels in its span.

The ground-truth judge is stricter than the generator on purpose: the generator works from the
teacher's caption (motion bucketed into still / slight / clear / large over the instance), the
judge from the descriptors over the whole span shown, so a caption's claim that the shown
frames do not bear out is rejected, with the numbers in the reason.
"""
from __future__ import annotations

from fragmentforge.microactions.descriptors import as_text
from fragmentforge.microactions.recheck import BY_OPTION
from fragmentforge.microactions.vocabulary import BODY_LEVEL, region_magnitudes
from fragmentforge.tasks.record import YES
from fragmentforge.teacher.request import TeacherRequest, prompt_text

KIND = "qa_verification"
SCHEMA = {"type": "object", "additionalProperties": False, "required": ["verdict", "reason"],
          "properties": {"verdict": {"enum": ["supported", "unsupported"]}, "reason": {"type": "string"}}}
DIRECTION_SHARE_YES = 0.5   # a "moves this way" claim needs at least this share of the part's motion
DIRECTION_SHARE_NO = 0.15   # a "does not move this way" claim allows at most this share
MOVING = 0.3                # pixels a frame: below this the part hardly moves in the shown span
PRIMARY_MARGIN = 1.2        # the primary region moves at least this many times the runner-up


def request(item_id: str, task: str, question: str, options: list[str], answer: str, parts: dict,
            done: list[str], meta: dict) -> TeacherRequest:
    text = prompt_text(KIND, question=question, options="\n".join(f"- {o}" for o in options), answer=answer,
                       descriptors=as_text(parts), labels=", ".join(done) or "none")
    return TeacherRequest(item_id, KIND, text, SCHEMA,
                          subject={"task": task, "answer": answer, "options": options, "parts": parts, "done": done,
                                   "meta": meta})


def _verdict(ok: bool, reason: str) -> dict:
    return {"verdict": "supported" if ok else "unsupported", "reason": reason}


def ground_truth_verdict(subject: dict) -> dict:
    task, parts, meta, done = subject["task"], subject["parts"], subject["meta"], subject["done"]
    if task == "ma_sad":
        part = parts.get(meta["part"])
        if part is None:
            return _verdict(False, f"no descriptors for the {meta['part']} in the span")
        share, magnitude = part["directions"][meta["asked"]], part["magnitude"]
        fits = share >= DIRECTION_SHARE_YES if meta["claim"] else share <= DIRECTION_SHARE_NO
        return _verdict(fits and magnitude >= MOVING,
                        f"the {meta['part']} moves {magnitude:.2f} px/frame, {share:.0%} of it {meta['asked']}")
    if task == "ma_ppr":
        ranked = sorted(region_magnitudes(parts).items(), key=lambda kv: -kv[1])
        if len(ranked) < 2:
            return _verdict(False, "fewer than two body regions tracked in the span")
        (top, first), (runner, second) = ranked[0], ranked[1]
        ok = top == meta["region"] and first >= PRIMARY_MARGIN * max(second, 1e-6)
        return _verdict(ok, f"most motion: {top} {first:.2f}, then {runner} {second:.2f} px/frame")
    return _label_verdict(task, subject["answer"], subject["options"], meta, done)


def _label_verdict(task: str, answer: str, options: list[str], meta: dict, done: list[str]) -> dict:
    """Questions whose answer follows from the labels: re-derive it from the labels in the span."""
    labels = f"labels in the span: {', '.join(done) or 'none'}"
    if task == "ma_cmar":
        levels = {BODY_LEVEL[a] for a in done}
        return _verdict(len(levels) == 1 and answer.lower() == next(iter(levels)), labels)
    if task == "ma_fmar":
        named = [BY_OPTION.get(o) for o in options]
        return _verdict(named[0] in done and not set(named[1:]) & set(done), labels)
    if task == "ma_mad":
        return _verdict((meta["asked"] in done) == (answer == YES), labels)
    if task == "ma_mas":
        return _verdict(done == [meta["action"], meta["then"]] and BY_OPTION.get(answer) == meta["then"], labels)
    return _verdict(False, f"no rule to verify {task!r} questions")

ANSWERERS = {KIND: ground_truth_verdict}
