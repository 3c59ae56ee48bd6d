"""FineBench (§3.2): what is the named person doing at this keyframe, in one action category?

Videos labelled in AVA's format only. Each keyframe second is shown as its window of frames
(keyframes.label_window), and the question says which frame it is about. The person is named
from the boxes, the options come from the similarity map, and concurrent actions of one
category make compound questions (tasks/finebench_questions.py). The gate re-reads the
video's AVA rows and re-derives each answer from them.
"""
from __future__ import annotations

from dataclasses import dataclass

from fragmentforge.config.schema import check_default
from fragmentforge.motion.extract import label_set_id
from fragmentforge.synthetic.people.vocabulary import OBJECT, PERSON, POSE
from fragmentforge.tasks import finebench_questions as fb
from fragmentforge.tasks.record import Draft
from fragmentforge.tasks.registry import TaskOptions

LEVEL, COLUMN, ORDER = "finebench", "FineBench", 1
DESCRIPTION = ("What a named person is doing at a keyframe (FineBench): movement, object manipulation or "
               "interaction, with similarity-map distractors and compound questions.")
CHECK_DESCRIPTION = ("Re-read from the video's AVA rows at the keyframe the frames are centred on: the referring "
                     "expression names exactly one person, the answer follows from that person's rows, and no "
                     "distractor is true of them.")


@dataclass(frozen=True)
class Options(TaskOptions):
    categories: tuple[str, ...] = (POSE, OBJECT, PERSON)  # FineBench's three; micro-actions are MA-Bench's
    # Someone stands in most frames: at 0.5, "Standing" was 45% of the answers and a blind pick of
    # the most common answer scored 62%; a quarter of them are asked
    standing_kept: float = check_default(0.25, lambda v: 0 <= v <= 1, "must be in [0, 1]")


def generate(ctx, env):
    truth = ctx.truth
    if not truth or truth.get("world") != "ava":
        return
    windows = {s.set_id: s for s in ctx.sets_of("normal", ("label",))}
    for keyframe in truth["keyframes"]:
        window = windows.get(label_set_id(keyframe["second"]))
        if window is None:
            continue  # the clip is too short for the window
        for q in fb.questions_at(keyframe, env.rng, fb.MIN_GAP_NORMALISED, env.options.standing_kept):
            if q["category"] not in env.options.categories:
                continue
            meta = {key: q[key] for key in ("category", "kind", "person_id", "person", "actions",
                                            "distractor_actions", "distractor_rule", "people_in_frame")}
            yield Draft("normal", list(window.paths), fb.framed(q["question"], window.n), q["answer"],
                        q["distractors"], {**meta, "second": keyframe["second"], "n": window.n,
                                           "set_id": window.set_id, "label_source": "AVA rows"})


def check(record, media):
    truth = media.truth(record.video_id)
    if not truth or "keyframes" not in truth:
        return False
    positions = media.positions(record)
    fps = media.fps(record.video_id)
    if not positions or positions[len(positions) // 2] is None or not fps:
        return False
    middle = positions[len(positions) // 2]
    near = [k for k in truth["keyframes"] if abs(k["second"] * fps - middle) <= 1]
    if len(near) != 1:
        return False
    return fb.recheck(record.question, record.answer_text, list(record.options), near[0]["people"]) is None
