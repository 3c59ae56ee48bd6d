"""What every MA-Bench generator does first: each captioned instance of a video, named, with
its span, its frames and what the person does there."""
from __future__ import annotations

from dataclasses import dataclass

from fragmentforge.microactions import questions as q
from fragmentforge.motion.extract import CLIP_SET_ID
from fragmentforge.tasks.record import Draft


@dataclass(frozen=True)
class Shown:
    item: q.Captioned
    who: str
    start: float
    end: float
    frames: list  # (timestamp, path)
    done: list  # (first second, action) in the span

    def draft(self, question: str, correct: str, distractors: list[str], **meta) -> Draft:
        intro = q.INTRO.format(n=len(self.frames), who=self.who, start=self.start, end=self.end)
        return Draft("normal", [path for _, path in self.frames], intro + question, correct, distractors,
                     {"person_id": self.item.person_id, "action": self.item.action, "span": [self.start, self.end],
                      "done": [a for _, a in self.done], "n": len(self.frames), "label_source": "teacher caption",
                      "caption": self.item.caption["caption"], **meta})


def shown(ctx, env, start: float | None = None, end: float | None = None, items=None):
    yield from shown_with(ctx, env.params.ma_bench, start, end, items)


def shown_with(ctx, settings, start: float | None = None, end: float | None = None, items=None):
    """A Shown per captioned instance, over the span its caption describes (or, given `start` and
    `end`, over that span widened), where the person can be named and the frames are there.
    `settings`: tasks.ma_bench."""
    truth = ctx.truth
    clip = next((s for s in ctx.sets if s.set_id == CLIP_SET_ID), None)
    if not truth or truth.get("world") != "ava" or clip is None:
        return
    if len(clip.times) < 2:
        return
    duration = clip.times[-1] + (clip.times[-1] - clip.times[0]) / (len(clip.times) - 1)
    for item in items if items is not None else q.captioned(ctx):
        a, b = item.span if start is None else q.widen(start, end, settings.min_span_s, duration)
        frames = q.span_frames(clip, a, b, settings.frames)
        name = q.who(truth, item.person_id, a, b)
        if frames is None or name is None:
            continue
        yield Shown(item, name, a, b, frames, q.done_in(truth, item.person_id, a, b))

