"""ActionArt's parameter fusion: the fused adapter at weight 0 answers as the parent does and at
weight 1 as the child does (the child continues the parent's LoRA on other labels); with no
parent, weight 0 is the base model itself."""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from fragmentforge.config.schema import VariantSpec
from fragmentforge.evaluate.model_io import load_model
from fragmentforge.evaluate.runner import predict
from fragmentforge.training.fusion import FusionError, fuse_adapters
from tests.test_evaluation import EVAL, questions_of
from tests.training_lab import COUNT, TRAINING, train


def _answers(lab, adapter, questions):
    model = load_model(lab["root"] / "registry" / "tiny", adapter)
    out = predict(model, questions, EVAL, lab["root"])
    return [p["prediction"] for p in out], np.array([list(json.loads(p["option_scores"]).values()) for p in out])


@pytest.fixture(scope="module")
def child(lab):
    variant = VariantSpec(name="count_noise", datasets=("count_noise",), parent="count", epochs=2)
    return train(lab, variant, training=replace(TRAINING, variants=(COUNT, variant)))


@pytest.mark.slow  # trains a child adapter
def test_weight_zero_is_the_parent_and_weight_one_the_child(lab, child, tmp_path):
    questions = questions_of(lab["test_rows"])
    parent_dir, child_dir = lab["count"].adapter_dir, child.adapter_dir
    parent, parent_scores = _answers(lab, parent_dir, questions)
    trained, child_scores = _answers(lab, child_dir, questions)
    assert parent != trained, "the child must answer differently for the test to tell them apart"
    for weight, letters, scores in ((0.0, parent, parent_scores), (1.0, trained, child_scores)):
        fuse_adapters(child_dir, parent_dir, weight, tmp_path / f"w{weight}")
        fused, fused_scores = _answers(lab, tmp_path / f"w{weight}", questions)
        assert fused == letters, weight
        assert np.allclose(fused_scores, scores, atol=1e-4), weight
    fuse_adapters(child_dir, parent_dir, 0.5, tmp_path / "half")
    half, _ = _answers(lab, tmp_path / "half", questions)
    assert half != parent or half != trained  # in between: not simply one of them on every question


@pytest.mark.slow
def test_without_a_parent_weight_zero_is_the_base_and_mismatched_adapters_are_refused(lab, child, tmp_path):
    questions = questions_of(lab["test_rows"][:16])
    base, _ = _answers(lab, None, questions)
    fuse_adapters(lab["count"].adapter_dir, None, 0.0, tmp_path / "zero")
    assert _answers(lab, tmp_path / "zero", questions)[0] == base
    fuse_adapters(child.adapter_dir, lab["count"].adapter_dir, 0.5, tmp_path / "double")
    with pytest.raises(FusionError, match="not the same LoRA layout"):
        fuse_adapters(tmp_path / "double", lab["count"].adapter_dir, 0.5, tmp_path / "bad")
