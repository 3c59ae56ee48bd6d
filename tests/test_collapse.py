"""The collapse check: an adapter trained to answer one letter is flagged in evaluation, a run
that learned only the letter prior is flagged in training, and a working adapter is flagged in
neither."""
from __future__ import annotations

import math

import pytest

from fragmentforge.config.schema import VariantSpec
from fragmentforge.evaluate.collapse import collapsed_tasks, letter_spread
from fragmentforge.evaluate.model_io import load_model
from fragmentforge.evaluate.runner import metric_rows, predict
from tests.test_evaluation import EVAL, questions_of
from tests.training_lab import train

THRESHOLD = 0.8


def evaluate(lab, adapter) -> list[dict]:
    questions = questions_of(lab["test_rows"])
    model = load_model(lab["root"] / "registry" / "tiny", adapter)
    return metric_rows("run", questions, predict(model, questions, EVAL, lab["root"]), EVAL)


def test_letter_spread_counts_the_top_letter_and_the_entropy():
    assert letter_spread("AAAA") == {"top_letter": "A", "top_share": 1.0, "entropy_bits": 0.0}
    spread = letter_spread("ABCD" * 5)
    assert spread["top_share"] == 0.25 and math.isclose(spread["entropy_bits"], 2.0)
    assert letter_spread([])["top_share"] is None


@pytest.mark.slow  # trains adapters of its own (about 10 s): out of the fast tier
def test_an_adapter_trained_to_answer_one_letter_is_flagged_and_a_working_one_is_not(lab):
    one_letter = train(lab, VariantSpec(name="one_letter", datasets=("count_one_letter",), epochs=1))
    flagged = collapsed_tasks(evaluate(lab, one_letter.adapter_dir), THRESHOLD)
    assert [(m["task"], m["top_letter"]) for m in flagged] == [("counting", "A")]
    assert flagged[0]["top_share"] >= THRESHOLD and flagged[0]["accuracy"] <= 0.3  # letters are balanced
    assert collapsed_tasks(evaluate(lab, lab["count"].adapter_dir), THRESHOLD) == []


@pytest.mark.slow
def test_training_that_learned_only_the_letter_prior_is_flagged(lab):
    noise = train(lab, VariantSpec(name="noise", datasets=("count_noise",), epochs=2))
    record = noise.record
    assert math.isclose(record["letter_prior_loss"], math.log(4) / 3)  # letter, end of turn, newline
    assert record["at_letter_prior"], (record["final_loss"], record["letter_prior_loss"])
    assert not lab["count"].record["at_letter_prior"]


class CharTokenizer:
    """One token per character: enough to count a reply's trained tokens in closed form."""

    def encode(self, text, add_special_tokens=False):
        return list(text.replace("<|im_end|>", "\x00"))


def text_row(reply: str, options=("Yes", "No", "Not sure")) -> dict:
    lines = "\n".join(f"{'ABC'[i]}. {o}" for i, o in enumerate(options))
    return {"messages": [{"role": "user", "content": f"<image>Same object?\n{lines}\nAnswer."},
                         {"role": "assistant", "content": reply}], "images": ["x.jpg"]}


def test_the_prior_loss_is_the_uniform_letter_prior_and_is_not_claimed_for_text_replies(tmp_path):
    import json

    from fragmentforge.evaluate.collapse import prior_loss

    rows = [text_row("Yes"), text_row("Yes"), text_row("Yes"), text_row("No")]
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(rows))
    assert prior_loss([path], CharTokenizer()) is None
    lettered = [dict(r, messages=[r["messages"][0], {"role": "assistant", "content": "B"}]) for r in rows]
    path.write_text(json.dumps(lettered))
    assert math.isclose(prior_loss([path], CharTokenizer()), math.log(3) / 3)  # one letter, end of turn, newline


def test_under_text_replies_a_model_that_always_says_yes_is_collapsed_though_its_letters_spread():
    from fragmentforge.evaluate.questions import Question
    from fragmentforge.evaluate.runner import metric_rows

    questions, predictions = [], []
    for i in range(12):
        options = {"A": "Yes", "B": "No", "C": "Not sure"} if i % 2 else {"A": "No", "B": "Not sure", "C": "Yes"}
        yes = next(k for k, v in options.items() if v == "Yes")
        questions.append(Question(qa_id=f"q{i}", task="consistency", level="fragment", n=2, video_id=f"v{i % 4}",
                                  options=options, answer="A", row={}, answer_format="text", prior=0.5))
        predictions.append({"prediction": yes, "correct": yes == "A", "parse_status": "scored"})
    metric = metric_rows("run", questions, predictions, EVAL)[0]
    assert letter_spread(p["prediction"] for p in predictions)["top_share"] == 0.5
    assert metric["top_letter"] == "Yes" and metric["top_share"] == 1.0
    assert collapsed_tasks([metric], THRESHOLD) == [metric] and metric["answer_prior"] == 0.5


def test_the_answer_prior_picks_the_option_text_right_most_often_in_training():
    from collections import Counter

    from fragmentforge.evaluate.questions import Question, answer_prior

    q = Question(qa_id="q", task="t", level="scene", n=1, video_id="v", options={"A": "Yes", "B": "No", "C": "Not sure"},
                 answer="A", row={})
    assert answer_prior(q, Counter({"Yes": 3, "No": 1})) == 1.0
    assert answer_prior(q, Counter({"No": 3, "Yes": 1})) == 0.0
    assert answer_prior(q, Counter({"No": 2, "Yes": 2})) == 0.5  # ties split evenly
    assert math.isclose(answer_prior(q, Counter()), 1 / 3)  # no training data: a uniform pick
