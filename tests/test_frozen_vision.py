"""Images worked on once a training run: their token counts while tokenizing (training/image_grids.py)
and, with the vision side frozen, their embeddings (training/frozen_vision.py)."""
from __future__ import annotations

import json
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image

from fragmentforge.config.schema import VariantSpec
from fragmentforge.training import image_grids
from fragmentforge.training.frozen_vision import EmbeddingCache, applies
from tests.training_lab import TRAINING, train  # noqa: F401 (lab: conftest)

FROZEN = {"stage": "sft", "finetuning_type": "lora", "freeze_vision_tower": True, "freeze_multi_modal_projector": True}


def test_memoized_token_counts_expand_placeholders_as_the_plugin_does(lab, tmp_path, monkeypatch):
    from llamafactory.data.mm_plugin import Qwen2VLPlugin, get_mm_plugin
    from transformers import AutoProcessor

    monkeypatch.setattr(Qwen2VLPlugin, "_get_mm_token_metadata", Qwen2VLPlugin._get_mm_token_metadata)  # undone after
    processor = AutoProcessor.from_pretrained(lab["root"] / "registry" / "tiny")
    plugin = get_mm_plugin("qwen2_vl", image_token="<|image_pad|>", video_token="<|video_pad|>")
    rng = np.random.default_rng(0)
    paths = []
    for i, (h, w) in enumerate([(56, 72), (128, 96), (30, 200), (300, 300)]):  # grids of different sizes
        paths.append(str(tmp_path / f"{i}.png"))
        Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)).save(paths[-1])
    examples = [[paths[0], paths[1]], [paths[1], paths[2], paths[3]], [paths[3], paths[0], paths[3]]]
    ask = lambda images: plugin.process_messages(  # noqa: E731
        [{"role": "user", "content": "<image>" * len(images) + "How many?"}], images, [], [], processor)
    plain = [ask(images) for images in examples]
    memo = image_grids.install()
    assert [ask(images) for images in examples] == plain
    assert sorted(memo) == sorted(paths)  # each image measured once
    assert len({m[0]["content"].count("<|image_pad|>") for m in plain}) == 3


def test_applies_only_where_the_vision_side_cannot_change():
    family = SimpleNamespace(FROZEN_VISION_CACHE=True)
    assert applies(FROZEN, family)
    assert not applies(FROZEN, SimpleNamespace())  # a family whose classes the patches do not know
    for key, value in (("freeze_vision_tower", False), ("freeze_multi_modal_projector", False),
                       ("finetuning_type", "full"), ("stage", "dpo")):
        assert not applies({**FROZEN, key: value}, family), key


def test_cache_drops_the_oldest_past_its_bound_and_counts():
    one = 4 * 16 * 4  # 16 tokens x 4 wide, float32
    cache = EmbeddingCache(max_bytes=2 * one)
    item = lambda: (torch.tensor([1, 2, 2]), torch.zeros(16, 4))  # noqa: E731
    cache.put("a", item())
    cache.put("b", item())
    assert cache.get("a") is not None  # now the newest
    cache.put("c", item())  # over the bound: "b", the oldest, goes
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") is not None
    assert (cache.hits, cache.misses, cache.bytes) == (3, 3, 2 * one)


@pytest.mark.slow  # trains two adapters of its own (about 20 s)
def test_cached_embeddings_train_the_adapter_the_plain_path_trains(lab):
    cached = VariantSpec(name="count_language", datasets=("count_train",), epochs=3, tune="language")
    plain = replace(cached, name="count_language_plain")
    with_cache = train(lab, cached, training=replace(TRAINING, variants=(cached,), vision_cache_mib=64))
    without = train(lab, plain, training=replace(TRAINING, variants=(plain,), vision_cache_mib=0))
    stats = with_cache.record["vision_cache"]
    shown = {path for row in json.loads((lab["datasets"] / "count_train.json").read_text()) for path in row["images"]}
    assert stats["misses"] == len(shown) and stats["hits"] == 2 * len(shown), stats  # encoded in epoch 1 only
    assert without.record["vision_cache"] is None
    assert with_cache.record["adapter_hash"] == without.record["adapter_hash"]
    assert with_cache.record["final_loss"] == without.record["final_loss"]
