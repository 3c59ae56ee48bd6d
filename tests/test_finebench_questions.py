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


def test_the_gate_can_re_derive_every_answer_from_the_keyframe_rows_alone(asked):
    from fragmentforge.tasks.finebench_questions import answer_from_keyframe

    for frame, q in asked:
        rows = [{"person_id": p["person_id"], "box": p["box"], "actions": [{"name": a["name"]} for a in p["actions"]]}
                for p in frame["people"]]  # what an AVA row keeps: box and action, no target
        assert answer_from_keyframe(q["person"], q["category"], rows) == (q["answer"], None)
    frame, q = asked[0]
    crowded = [{"person_id": 9, "box": [0, 0, 1, 1], "actions": []}] * 2
    text, reason = answer_from_keyframe("the person on the left", q["category"], crowded)
    assert text is None and "names 0 people" in reason


def test_questions_from_ava_rows_of_the_people_world(tmp_path):
    """The same questions from the AVA CSV the people world writes, read back by the ava source."""
    import json
    from dataclasses import replace

    from fragmentforge.config import load_params
    from fragmentforge.config.schema import PeopleWorldParams
    from fragmentforge.sources import SourceContext
    from fragmentforge.sources.ava import Options, list_candidates
    from fragmentforge.synthetic.people.clips import synthesize_people
    from fragmentforge.tasks.finebench_questions import answer_from_keyframe
    from tests.conftest import REPO

    params = load_params(REPO / "params.yaml").synthetic
    synthesize_people(replace(params, people=PeopleWorldParams(num_clips=6)), tmp_path)
    context = SourceContext(root=tmp_path, synthetic_dir=tmp_path, download_dir=tmp_path / "downloads")
    rng = random.Random(2)
    count = 0
    for candidate in list_candidates(Options(name="p", kind="ava", csv="people/ava.csv",
                                             actions="people/actions.pbtxt", root="people/clips"), context):
        for keyframe in json.loads(candidate.ground_truth.read_text())["keyframes"]:
            for q in questions_at(keyframe, rng, min_gap=4 / params.width):
                assert answer_from_keyframe(q["person"], q["category"], keyframe["people"], 4 / params.width) == (
                    q["answer"], None)
                count += 1
    assert count > 30


def test_fineagent_adds_the_referred_box_and_a_labelled_caption():
    from fragmentforge.evaluate.fineagent import AnnotationBoxes, GroundTruthCaptioner, described, localized

    truths = {"v": {"keyframes": [{"second": 1.0, "people": [
        {"person_id": 0, "box": [0.1, 0.2, 0.3, 0.9], "actions": [{"name": "walk"}, {"name": "carry"}]},
        {"person_id": 1, "box": [0.6, 0.2, 0.8, 0.9], "actions": [{"name": "stand"}, {"name": "watch"}]}]}]}}
    boxes = AnnotationBoxes(truths)  # given the expression, as a grounding model would be
    assert boxes.box("v", 1.0, "the person on the right") == [0.6, 0.2, 0.8, 0.9]
    assert boxes.box("v", 2.0, "the person on the right") is None  # no keyframe there
    assert boxes.box("v", 1.0, "the rightmost person") is None  # names nobody among two
    prompt = localized("What is the person on the right doing?", "the person on the right",
                       boxes.box("v", 1.0, "the person on the right"))
    assert prompt.startswith("In the middle frame, the person on the right is inside the box from (0.60, 0.20) "
                             "to (0.80, 0.90)")
    captioner = GroundTruthCaptioner(truths, min_gap=0.03)
    caption = captioner.caption("v", 1.0)
    assert caption == ("The person on the left is walking and carrying something; "
                       "the person on the right is standing and watching someone.")
    assert captioner.label_source == "ground_truth"
    assert described("Q?", caption, captioner.label_source).startswith(
        "Frame description (written from the annotations, not by a model): The person on the left")
