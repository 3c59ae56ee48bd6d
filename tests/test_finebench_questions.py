"""FineBench-style questions on the people world: every person named unambiguously, four
distinct options, distractors never true and drawn from the similarity map when it has entries."""
import random

import pytest

from fragmentforge.synthetic.people.vocabulary import BY_NAME, similar
from fragmentforge.synthetic.people.world import PAIR_SCENES, people_clip
from fragmentforge.synthetic.world import clip_rng
from fragmentforge.tasks.finebench_questions import questions_at, refer, resolve


@pytest.fixture(scope="module")
def asked():
    rng = random.Random(0)
    out = []
    scenes = [None] * 6 + list(PAIR_SCENES) + ["carry", "pick up", "throw"]
    for index, scene in enumerate(scenes):
        _, truth = people_clip(f"p{index}", clip_rng(21, index), 128, 128, 12, 30, scene)
        for frame in truth["frames"][2::6]:
            out.extend((frame, q) for q in questions_at(frame, rng))
    return out


def test_every_referring_expression_picks_exactly_one_person(asked):
    assert len(asked) > 150
    for frame, q in asked:
        boxes = {p["person_id"]: p["box"] for p in frame["people"]}
        assert resolve(q["person"], boxes) == [q["person_id"]], (q["person"], boxes)
        assert q["person"] in q["question"]


def test_names_follow_the_number_of_people():
    two = {0: [10, 0, 20, 10], 1: [60, 0, 70, 10]}
    assert (refer(two, 0), refer(two, 1)) == ("the person on the left", "the person on the right")
    four = {k: [k * 30, 0, k * 30 + 10, 10] for k in range(4)}
    assert [refer(four, k) for k in range(4)] == ["the leftmost person", "the second person from the left",
                                                 "the second person from the right", "the rightmost person"]
    assert refer({0: [10, 0, 20, 10], 1: [11, 0, 21, 10]}, 0) is None  # side by side: no visible order


def test_distractors_are_never_true_and_come_from_the_similarity_map(asked):
    from_map = 0
    for frame, q in asked:
        options = [q["answer"], *q["distractors"]]
        assert len(set(options)) == 4
        person = next(p for p in frame["people"] if p["person_id"] == q["person_id"])
        doing = {a["name"] for a in person["actions"]}
        assert not doing & set(q["distractor_actions"]), (doing, q)
        truth = BY_NAME[q["actions"][0]]
        available = [a for a in similar(truth) if a.name not in doing and a.category == truth.category]
        if q["kind"] == "single" and available:
            assert q["distractor_actions"][0] in {a.name for a in available}
            from_map += 1
    assert from_map > 50


def test_concurrent_actions_of_one_category_make_compound_questions(asked):
    compound = [q for _, q in asked if q["kind"] == "compound"]
    assert compound, "approaching while watching should make compound questions"
    for q in compound:
        assert " and " in q["answer"] and all(" and " in d for d in q["distractors"])
    assert {q["category"] for _, q in asked} >= {"person movement", "object manipulation", "person interaction"}
