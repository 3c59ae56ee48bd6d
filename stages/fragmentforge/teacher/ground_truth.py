"""The ground-truth teacher: answers a request from the world's annotations, no server.

Each feature registers, per request kind, a function from the request's `subject` to the
reply a perfect teacher would give. Its replies go through the same schema check as a
server's, so a gap in the annotations shows up as a quarantined item, not a silent label.
"""
from __future__ import annotations

from typing import Callable

from fragmentforge.teacher.reply import schema_problem
from fragmentforge.teacher.request import TeacherRequest

LABEL_SOURCE = "ground_truth"

Answerer = Callable[[dict], dict]


class MissingAnnotation(Exception):
    """The annotations cannot answer this request (the reason is the message)."""


class GroundTruthTeacher:
    label_source = LABEL_SOURCE
    sent = 0

    def __init__(self, answerers: dict[str, Answerer]):
        self.answerers = dict(answerers)

    def answer(self, request: TeacherRequest) -> tuple[dict | None, str, int]:
        answerer = self.answerers.get(request.kind)
        if answerer is None:
            return None, f"the ground-truth teacher cannot answer {request.kind!r} requests", 0
        try:
            value = answerer(request.subject)
        except MissingAnnotation as exc:
            return None, f"no ground truth: {exc}", 0
        problem = schema_problem(value, request.schema)
        return (None, f"ground truth {problem}", 0) if problem else (value, "", 0)

    def close(self) -> None:
        pass
