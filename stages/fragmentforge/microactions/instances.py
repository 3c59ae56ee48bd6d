"""Micro-action instances: one person doing one MA-Bench action over consecutive AVA keyframes.

An instance spans its first to its last keyframe, half a keyframe gap either side, so the
frames it is shown with (and its descriptors) cover the labelled moments and nothing far off.
"""
from __future__ import annotations

from dataclasses import dataclass

from fragmentforge.microactions.vocabulary import BODY_LEVEL


@dataclass(frozen=True)
class Instance:
    video_id: str
    person_id: int
    action: str
    start_s: float
    end_s: float
    seconds: tuple[float, ...]  # the keyframes labelled with it
    order: int  # its place among the person's instances, in time

    @property
    def instance_id(self) -> str:
        return f"{self.video_id}:p{self.person_id}:{self.order}"

    def frames(self, fps: float) -> tuple[int, int]:
        """[first, end) frame indices of the span."""
        return int(round(self.start_s * fps)), int(round(self.end_s * fps)) + 1


def action_runs(truth: dict, keep) -> list[tuple[int, str, tuple[float, ...], float]]:
    """(person_id, action, its consecutive keyframe seconds, keyframe gap) for every run of
    keyframes where a person's rows carry an action that `keep(name)` accepts, in time order."""
    keyframes = sorted(truth.get("keyframes", ()), key=lambda k: k["second"])
    seconds = [k["second"] for k in keyframes]
    gap = min((b - a for a, b in zip(seconds, seconds[1:])), default=1.0)
    runs: dict[tuple[int, str], list[list[float]]] = {}
    for index, keyframe in enumerate(keyframes):
        for person in keyframe["people"]:
            for action in person["actions"]:
                if not keep(action["name"]):
                    continue
                spans = runs.setdefault((person["person_id"], action["name"]), [])
                if spans and spans[-1][-1] == seconds[index - 1] and index > 0:
                    spans[-1].append(keyframe["second"])
                else:
                    spans.append([keyframe["second"]])
    found = sorted((spans[0], person_id, action, tuple(spans)) for (person_id, action), all_spans in runs.items()
                   for spans in all_spans)
    return [(person_id, action, spans, gap) for _, person_id, action, spans in found]


def instances_of(video_id: str, truth: dict) -> list[Instance]:
    out, order = [], {}
    for person_id, action, spans, gap in action_runs(truth, lambda name: name in BODY_LEVEL):
        k = order.get(person_id, 0)
        order[person_id] = k + 1
        out.append(Instance(video_id, person_id, action, max(0.0, spans[0] - gap / 2), spans[-1] + gap / 2, spans, k))
    return out
