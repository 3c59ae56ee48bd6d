"""FineAgent (FineBench §4) at inference: context added to a question before the model sees it.

- The Localizer adds the referred person's box. Boxes come from a `BoxSource`, which is given
  the referring expression as a grounding model would be: the annotations here
  (`AnnotationBoxes`), or a detector behind the same method.
- The Descriptor adds a caption of the frame from a `Captioner`. Until the teacher interface
  exists (issue 18), the synthetic worlds use `GroundTruthCaptioner`, which writes the caption
  from the annotations and says so in `label_source`.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from fragmentforge.synthetic.people.vocabulary import BY_NAME
from fragmentforge.tasks.finebench_questions import MIN_GAP_NORMALISED, named_person, parse_question, refer

TASK = "finebench"
HELPERS = ("localizer", "descriptor", "localizer+descriptor")
NONE = "none"  # the plain run's FineBench predictions


class BoxSource(Protocol):
    def box(self, video_id: str, second: float, expression: str) -> list[float] | None: ...


class Captioner(Protocol):
    label_source: str

    def caption(self, video_id: str, second: float) -> str | None: ...


def _keyframe(truths: dict, video_id: str, second: float) -> dict | None:
    truth = truths.get(video_id)
    return next((k for k in truth["keyframes"] if k["second"] == second), None) if truth else None


class AnnotationBoxes:
    """Boxes from AVA-format ground truth (sources/ava.py's per-video keyframes): the one person
    the expression names there, or None."""

    def __init__(self, truths: dict[str, dict], min_gap: float = MIN_GAP_NORMALISED):
        self.truths, self.min_gap = truths, min_gap

    def box(self, video_id: str, second: float, expression: str) -> list[float] | None:
        keyframe = _keyframe(self.truths, video_id, second)
        if keyframe is None:
            return None
        person, _ = named_person(expression, keyframe["people"], self.min_gap)
        return person["box"] if person else None


class GroundTruthCaptioner:
    """Captions written from the annotations: what each person is doing, named as the questions name them."""

    label_source = "ground_truth"

    def __init__(self, truths: dict[str, dict], min_gap: float = MIN_GAP_NORMALISED):
        self.truths, self.min_gap = truths, min_gap

    def caption(self, video_id: str, second: float) -> str | None:
        keyframe = _keyframe(self.truths, video_id, second)
        if not keyframe or not keyframe["people"]:
            return None
        boxes = {p["person_id"]: p["box"] for p in keyframe["people"]}
        parts = []
        for person in sorted(keyframe["people"], key=lambda p: (p["box"][0] + p["box"][2]) / 2):
            name = refer(boxes, person["person_id"], self.min_gap) or "a person"
            doing = [BY_NAME[a["name"]].phrase for a in
                     sorted(person["actions"], key=lambda a: BY_NAME[a["name"]].id)]
            parts.append(f"{name} is {' and '.join(doing) if doing else 'in view'}")
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."


def localized(question: str, expression: str, box: list[float] | None) -> str:
    """The Localizer's prompt: the box of the person asked about, before the question."""
    if box is None:
        return question
    x1, y1, x2, y2 = (f"{v:.2f}" for v in box)
    return (f"In the middle frame, {expression} is inside the box from ({x1}, {y1}) to ({x2}, {y2}), "
            f"in fractions of the frame's width and height.\n{question}")


def described(question: str, caption: str | None, label_source: str) -> str:
    """The Descriptor's prompt: the frame's caption, with where it came from, before the question."""
    if caption is None:
        return question
    origin = "written from the annotations, not by a model" if label_source == "ground_truth" else label_source
    return f"Frame description ({origin}): {caption}\n{question}"


def helped(question, helpers: str, boxes: BoxSource, captioner: Captioner):
    """The FineBench question (evaluate.questions.Question) with `helpers`' context put before
    its text in the prompt; the frames, options and answer stay as they are."""
    parsed = parse_question(question.question)
    second = question.meta.get("second")
    text = question.question
    if "descriptor" in helpers:
        text = described(text, captioner.caption(question.video_id, second), captioner.label_source)
    if "localizer" in helpers and parsed is not None:
        text = localized(text, parsed[1], boxes.box(question.video_id, second, parsed[1]))
    user, *rest = question.row["messages"]
    content = user["content"].replace(question.question, text, 1)
    return replace(question, question=text, row={**question.row, "messages": [{**user, "content": content}, *rest]})


def helper_questions(questions: list, truths: dict[str, dict], settings: tuple[str, ...]) -> list[tuple[str, object]]:
    """(helpers, question) for every FineBench question under every helper setting."""
    boxes, captioner = AnnotationBoxes(truths), GroundTruthCaptioner(truths)
    return [(h, helped(q, h, boxes, captioner)) for h in settings for q in questions if q.task == TASK]
