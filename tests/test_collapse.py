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
