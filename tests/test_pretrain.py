"""Pretraining the embedded base: single-frame grounding data from its own pool, full-parameter
training through LLaMA-Factory, bit-for-bit reproducible, skipped when unchanged."""
from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from dataclasses import replace

import pytest

from fragmentforge.config import load_params
from fragmentforge.models.grounding import KINDS, frame_questions, write_pool
from fragmentforge.models.pretrain import PRETRAIN_RECORD, pretrain
from fragmentforge.models.twins import build_twin
from tests.conftest import REPO

PARAMS = load_params(REPO / "params.yaml")
# 24 clips: enough rows for a few logged losses with the default four question kinds
SMALL = replace(PARAMS.models.tiny, pretrain=replace(PARAMS.models.tiny.pretrain, clips=24, held_out_clips=2,
                                                      frames_per_clip=2, epochs=1, max_samples=160,
                                                      batch_size=16))  # 10 steps: a logged loss curve
TEMPORAL_WORDS = ("frame", "order", "speed", "fast", "slow", "happen", "action", "before", "after", "move")


def test_grounding_rows_ask_about_one_frame_and_never_about_time(tmp_path):
    rows = write_pool(tmp_path, seed=5, clips=12, held_out_clips=2, width=128, height=128, fps=12,
                      frames_per_clip=3, jpeg_quality=90)
    every = rows["train"] + rows["held_out"]
    assert {r["kind"] for r in every} == set(KINDS)
    assert all(len(r["images"]) == 1 and r["messages"][0]["content"].count("<image>") == 1 for r in every)
    for row in every:
        text = (row["messages"][0]["content"] + " " + row["messages"][1]["content"]).lower()
        assert not any(word in text for word in TEMPORAL_WORDS), text
    held_images = {r["images"][0] for r in rows["held_out"]}
    assert held_images.isdisjoint(r["images"][0] for r in rows["train"])  # held out by clip
    for kind in KINDS:  # the right option takes every letter about equally often
        letters = Counter(r["messages"][1]["content"] for r in rows["train"] if r["kind"] == kind)
        if kind != "caption":
            assert max(letters.values()) - min(letters.values()) <= 1, (kind, letters)


def test_text_replies_and_a_subset_of_kinds_keep_the_same_questions(tmp_path):
    common = dict(seed=5, clips=6, held_out_clips=1, width=128, height=128, fps=12, frames_per_clip=2,
                  jpeg_quality=90)
    lettered = write_pool(tmp_path / "a", **common)["train"]
    texts = write_pool(tmp_path / "b", **common, answer_format="text", kinds=("colour", "caption"))["train"]
    kept = [r for r in lettered if r["kind"] in ("colour", "caption")]
    assert len(texts) == len(kept) and {r["kind"] for r in texts} == {"colour", "caption"}
    for letter_row, text_row in zip(kept, texts):
        if letter_row["kind"] == "colour":
            options = dict(line.split(". ", 1) for line in letter_row["messages"][0]["content"].splitlines()[1:-1])
            assert text_row["messages"][1]["content"] == options[letter_row["messages"][1]["content"]]
    with pytest.raises(ValueError, match="unknown"):
        write_pool(tmp_path / "c", **common, kinds=("colour", "smell"))


def test_questions_follow_the_ground_truth():
    objects = [{"name": "red circle", "shape": "circle", "colour": "red"},
               {"name": "blue square", "shape": "square", "colour": "blue"}]
    truth = [{"visibility": 1.0, "centre": [20.0, 20.0], "radius": 14.0},
             {"visibility": 1.0, "centre": [108.0, 108.0], "radius": 14.0}]
    asked = {(kind, q): answer for kind, q, _, answer in frame_questions(objects, truth, 128, 128, random.Random(0))}
    assert asked[("colour", "What colour is the circle?")] == "red"
    assert asked[("position", "Where is the blue square?")] == "at the bottom right"
    assert asked[("count", "How many shapes are in the picture?")] == "2"
    assert asked[("caption", "Describe the picture in a few words.")] == (
        "A red circle at the top left; a blue square at the bottom right.")


@pytest.mark.slow
def test_pretraining_is_reproducible_bit_for_bit(tmp_path):
    def run(name):
        init = tmp_path / name / "init"
        build_twin(SMALL, init)
        out = tmp_path / name / "out"
        record = pretrain(SMALL, init, tmp_path / name / "work", out, time_limit_s=600)
        digest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())}
        return record, digest, init

    first, first_files, init = run("a")
    second, second_files, _ = run("b")
    assert first_files == second_files
    assert {k: v for k, v in first.items() if k != "seconds"} == json.loads((tmp_path / "a" / "out" / PRETRAIN_RECORD).read_text())
    assert first["loss"] and first["loss"] == second["loss"]
    assert set(first["held_out"]["kinds"]) <= set(KINDS) and first["held_out"]["questions"] > 0
    init_weights = hashlib.sha256((init / "model.safetensors").read_bytes()).hexdigest()
    assert first_files["model.safetensors"] != init_weights  # the weights were trained
