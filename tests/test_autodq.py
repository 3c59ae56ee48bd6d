"""AutoDQ-style scoring, the δ filter and frame-grounded descriptions (descriptions/)."""
from __future__ import annotations

import pytest

from fragmentforge.descriptions.autodq import (CONTRADICTION, DQ, ENTAILMENT, NEUTRAL, delta_filter, from_judgements,
                                               ground_truth_dq, ground_truth_labels, match)
from fragmentforge.descriptions.events import (Event, grounded_text, plain_text, read_events, span_problems, spans,
                                               strip_grounding)

LEFT, RIGHT = "the person on the left", "the person on the right"
EVENTS = [Event(LEFT, "walk", 0.0, 1.0), Event(RIGHT, "wave at", 1.5, 2.0),
          Event(LEFT, "sit", 2.5, 3.5), Event(RIGHT, "nod", 4.0, 4.5)]


def test_identical_descriptions_score_one_and_an_empty_one_zero():
    for text in (plain_text(EVENTS), grounded_text(EVENTS, spans(EVENTS, [0.5 * k for k in range(10)]))):
        dq = ground_truth_dq(EVENTS, text)
        assert (dq.recall, dq.precision, dq.f1) == (1.0, 1.0, 1.0)
    empty = ground_truth_dq(EVENTS, "")
    assert (empty.recall, empty.precision, empty.f1) == (0.0, 0.0, 0.0)


def test_partial_match_gives_the_right_fractions():
    # two of the four reference events, plus one the reference does not have
    text = plain_text([EVENTS[0], Event(LEFT, "jump", 1.0, 2.0), EVENTS[2]])
    dq = ground_truth_dq(EVENTS, text)
    assert dq.recall == pytest.approx(2 / 4) and dq.precision == pytest.approx(2 / 3)
    assert dq.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    ref_labels, pred_labels = ground_truth_labels(EVENTS, text)
    assert pred_labels == [ENTAILMENT, NEUTRAL, ENTAILMENT]
    assert ref_labels == [ENTAILMENT, NEUTRAL, ENTAILMENT, NEUTRAL]
    # a sentence in other words is an event nobody entails
    assert ground_truth_dq(EVENTS, plain_text(EVENTS) + " Something odd happens.").precision == pytest.approx(4 / 5)


def test_only_entailment_counts():
    assert from_judgements([ENTAILMENT, NEUTRAL, CONTRADICTION, ENTAILMENT], [CONTRADICTION, ENTAILMENT]) == \
        DQ(recall=0.5, precision=0.5, ref_events=4, pred_events=2)


def test_swapping_two_events_order_scores_below_the_right_order():
    right = ground_truth_dq(EVENTS, plain_text(EVENTS))
    swapped = ground_truth_dq(EVENTS, plain_text([EVENTS[0], EVENTS[2], EVENTS[1], EVENTS[3]]))
    assert swapped.recall < right.recall and swapped.precision < right.precision
    assert swapped.recall == pytest.approx(3 / 4)
    assert CONTRADICTION in ground_truth_labels(EVENTS, plain_text([EVENTS[0], EVENTS[2], EVENTS[1], EVENTS[3]]))[1]
    # events at the same time may be told in either order
    together = [Event(LEFT, "walk", 0.0, 2.0), Event(RIGHT, "nod", 0.5, 1.5)]
    assert ground_truth_dq(together, plain_text(together[::-1])).f1 == 1.0


def test_matching_is_the_largest_order_consistent_one():
    said = read_events(plain_text([EVENTS[3], EVENTS[0], EVENTS[1], EVENTS[2]]))
    assert match(EVENTS, said) == {1: 0, 2: 1, 3: 2}  # the late nod stated first cannot count with the rest


@pytest.mark.parametrize(("chosen", "rejected", "failed"), [
    ((0.8, 0.7), (0.6, 0.6), []),  # ΔR 0.2 + ΔP 0.1 = 0.3 = δ: kept
    ((0.8, 0.7), (0.7, 0.6), ["sum<delta"]),  # 0.1 + 0.1 < 0.3
    ((0.5, 1.0), (0.6, 0.4), ["delta_recall<0"]),  # ΔR -0.1, ΔP +0.6
    ((1.0, 0.5), (0.5, 0.6), ["delta_precision<0"]),  # ΔR +0.5, ΔP -0.1
    ((0.5, 0.5), (0.5, 0.5), ["sum<delta"]),  # the corruption changed nothing
    ((0.2, 0.2), (0.6, 0.6), ["delta_recall<0", "delta_precision<0", "sum<delta"]),
])
def test_delta_filter_keeps_and_drops_the_right_pairs(chosen, rejected, failed):
    dq = lambda rp: DQ(recall=rp[0], precision=rp[1], ref_events=4, pred_events=4)  # noqa: E731
    assert delta_filter(dq(chosen), dq(rejected), delta=0.3) == failed


def test_grounded_spans_lie_inside_the_frames_shown_and_in_order():
    times = [0.25 + 0.5 * k for k in range(9)]  # 9 frames over 4.5 s
    frame_spans = spans(EVENTS, times)
    assert frame_spans == [(1, 2), (4, 4), (6, 7), (9, 9)]
    text = grounded_text(EVENTS, frame_spans)
    assert text.startswith("<frame: 1-2> The person on the left is walking.")
    assert span_problems(text, shown=9) == [] and strip_grounding(text) == plain_text(EVENTS)
    assert span_problems(text, shown=8) == ["span 9-9 is outside frames 1-8"]
    assert span_problems("<frame: 3-4> A. <frame: 1-2> B.", shown=8) == ["span 1-2 starts before the span 3-4 ahead of it"]
    assert span_problems("<frame: 4-3> A.", shown=8) == ["span 4-3 is outside frames 1-8", "span 4-3 is backwards"]
    assert span_problems(plain_text(EVENTS), shown=8) == ["no <frame: i-j> span"]


def _keyframe(second, *people):
    return {"second": second, "people": [{"person_id": pid, "box": box, "actions": [{"id": 0, "name": n} for n in names]}
                                         for pid, box, names in people]}


def test_reference_events_come_from_the_ava_rows_without_static_states():
    from fragmentforge.descriptions.references import events_of

    left, right = [0.05, 0.3, 0.3, 0.9], [0.6, 0.3, 0.85, 0.9]
    truth = {"keyframes": [_keyframe(0.5, (0, left, ["stand", "walk"]), (1, right, ["wave at"])),
                           _keyframe(1.0, (0, left, ["stand", "walk"]), (1, right, ["wave at"])),
                           _keyframe(1.5, (0, left, ["sit"]), (1, right, ["stand"])),
                           _keyframe(2.0, (0, left, ["sit"]), (1, right, ["nod"]))]}
    events, unnamed = events_of(truth)
    assert unnamed == 0 and events == [Event(LEFT, "walk", 0.25, 1.25), Event(RIGHT, "wave at", 0.25, 1.25),
                                       Event(LEFT, "sit", 1.25, 2.25), Event(RIGHT, "nod", 1.75, 2.25)]
    assert plain_text(events).startswith("The person on the left is walking. The person on the right is waving at")


def test_the_judge_interface_scores_as_the_world_does_and_quarantines_a_miscounted_reply(monkeypatch):
    from fragmentforge.config import load_params
    from fragmentforge.descriptions import judging
    from fragmentforge.teacher.ground_truth import GroundTruthTeacher
    from tests.conftest import REPO

    judge = load_params(REPO / "params.yaml").judge  # the ground-truth judge, as the default run
    swapped = plain_text([EVENTS[0], EVENTS[2], EVENTS[1], EVENTS[3]])
    items = [judging.Item("right", plain_text(EVENTS), plain_text(EVENTS), tuple(EVENTS)),
             judging.Item("swapped", swapped, plain_text(EVENTS), tuple(EVENTS)),
             judging.Item("empty", "", plain_text(EVENTS), tuple(EVENTS)),
             judging.Item("dream", "A man walks.", "A man walks. He sits.", reference_events=("A man walks.", "He sits."))]
    scored, stats = judging.score(items, judge, cache_dir=None)
    assert [s.dq for s in scored[:3]] == [ground_truth_dq(EVENTS, t) for t in (plain_text(EVENTS), swapped, "")]
    assert scored[0].label_source == "ground_truth" and scored[1].pred_labels.count("contradiction") == 1
    assert scored[3].dq is None and "no ground truth" in scored[3].reason  # no world events: this judge cannot say
    # extractions: the three non-empty predictions; entailments: both ways for right, swapped and dream, recall for empty
    assert stats["requests"] == 3 + 2 + 2 + 2 + 1

    miscounting = dict(judging.ANSWERERS, event_entailment=lambda subject: {"events": [
        {"event": 1, "relationship": "entailment"}]})
    monkeypatch.setattr(judging, "make_teacher", lambda settings, answerers: GroundTruthTeacher(miscounting))
    broken, _ = judging.score(items[:1], judge, cache_dir=None)
    assert broken[0].dq is None and broken[0].reason.startswith("malformed reply: labels events [1] of 1..4")


def test_f1_interval_is_of_the_mean_precision_and_recall_and_pairs_by_video():
    import numpy as np

    from fragmentforge.evaluate.stats import f1_bootstrap

    p, r = np.array([1.0, 0.5, 0.0, 0.5]), np.array([0.5, 0.5, 0.0, 1.0])
    videos = ["a", "b", "c", "d"]
    f1, low, high = f1_bootstrap(p, r, videos, resamples=500, seed=1)
    assert f1 == pytest.approx(2 * 0.5 * 0.5 / (0.5 + 0.5)) and low <= f1 <= high
    same = f1_bootstrap(p, r, videos, resamples=500, seed=1, baseline=(p, r))
    assert same == (0.0, 0.0, 0.0)
    better = f1_bootstrap(np.ones(4), np.ones(4), videos, resamples=500, seed=1, baseline=(p, r))
    assert better[0] == pytest.approx(0.5) and better[1] > 0


def test_without_the_filter_as_many_pairs_are_drawn_from_every_judged_candidate():
    from fragmentforge.descriptions.preference import selected

    table = [{"kept": i in (1, 4), "failed": "" if i in (1, 4) else ("not judged: x" if i == 0 else "sum<delta")}
             for i in range(8)]
    assert selected(table, True, 0) == [1, 4]
    drawn = [selected(table, False, seed) for seed in range(20)]
    assert all(len(d) == 2 and 0 not in d for d in drawn)  # the filter's count; never an unjudged one
    assert len({tuple(d) for d in drawn}) > 1 and drawn[0] == selected(table, False, 0)  # seeded, and random
