"""Model families: every family with a tiny twin builds it from config (no download), trains a
LoRA adapter on it through LLaMA-Factory, and is evaluated on the token sequences training saw,
with frames as images and as a video."""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from fragmentforge import plugins
from fragmentforge.config.schema import VariantSpec
from fragmentforge.evaluate.generation import generate_rows
from fragmentforge.evaluate.likelihood import score_rows, score_rows_by_text
from fragmentforge.evaluate.model_io import batch_inputs, load_model
from fragmentforge.models import families
from fragmentforge.models.registry import Registry
from fragmentforge.models.twins import build_twin
from fragmentforge.report import family_text
from fragmentforge.training.runner import train_variant
from tests.training_lab import TINY, TRAINING

TWINS = [name for name in plugins.names(families) if hasattr(plugins.load(families, name), "tiny")]


def as_video(row: dict) -> dict:
    question = row["messages"][0]["content"].replace("<image>", "")
    return {"messages": [{"role": "user", "content": "<video>" + question}, row["messages"][1]],
            "videos": [row["images"]]}


def llamafactory_inputs(path, row: dict, root):
    """The prompt ids and media tensors LLaMA-Factory's plugin builds for a training row."""
    from llamafactory.data import get_template_and_fix_tokenizer
    from llamafactory.hparams import DataArguments
    from transformers import AutoProcessor

    processor = AutoProcessor.from_pretrained(path)
    template = get_template_and_fix_tokenizer(processor.tokenizer,
                                              DataArguments(template=families.family_of(path).TEMPLATE))
    family = families.family_of(path)
    # What LLaMA-Factory's model loader sets on the processor from the recipe (training/recipe.py).
    for name, value in {**families.pixel_bounds(family), "image_do_pan_and_scan": False,
                        "video_fps": families.VIDEO_FPS, "video_maxlen": 128}.items():
        setattr(processor, name, value)
    images = [str(root / p) for p in row.get("images", [])]
    videos = [[str(root / p) for p in v] for v in row.get("videos", [])]
    messages = template.mm_plugin.process_messages(row["messages"], images, videos, [], processor)
    prompt_ids, _ = template.encode_oneturn(processor.tokenizer, messages, None, None)
    media = template.mm_plugin.get_mm_inputs(images, videos, [], [len(images)], [len(videos)], [0], [prompt_ids],
                                             processor)
    return prompt_ids, media


@pytest.mark.slow
@pytest.mark.parametrize("family", TWINS)
def test_every_family_twin_trains_and_is_evaluated_on_the_sequences_it_trained_on(family, lab, tmp_path):
    import torch

    root = lab["root"]
    build_twin(TINY, tmp_path / "registry" / family, family)
    (entry,), problems = Registry(str(tmp_path / "registry")).scan()
    assert problems == [] and entry.model_type in families.family_for(entry.model_type).MODEL_TYPES
    path = tmp_path / "registry" / family
    variant = VariantSpec(name="count", datasets=("count_train",), epochs=1)
    result = train_variant(base=entry, base_path=path, variant=variant,
                           training=replace(TRAINING, variants=(variant,), max_samples=64), dataset_dir=lab["datasets"],
                           media_dir=root, adapters_root=tmp_path / "adapters", work_root=tmp_path / "work",
                           cuda=False)
    assert result.record["steps"] == 8 and (result.adapter_dir / "adapter_model.safetensors").is_file()
    reproducible = getattr(families.family_of(path), "ONEDNN_REPRODUCIBLE", True)
    assert result.record["cpu_env"] == ({} if reproducible else families.STRICT_MKL)
    loaded = load_model(path, result.adapter_dir, device="cpu")
    rows = lab["test_rows"][:6]
    scored = score_rows(loaded, rows, root, batch_size=4)
    assert all(s["prediction"] in s["scores"] and len(s["scores"]) == 4 for s in scored)
    # Option texts scored as replies: whatever shortcut the family takes, the plain path's scores.
    plain = replace(loaded, family=SimpleNamespace(**{**vars(loaded.family), "SHARED_VISION_SCORING": False}))
    for ours, reference in zip(score_rows_by_text(loaded, rows[:3], root), score_rows_by_text(plain, rows[:3], root)):
        assert ours["scores"] == pytest.approx(reference["scores"], abs=1e-4)
    replies = generate_rows(loaded, rows[:4], root, batch_size=2, max_new_tokens=6)
    assert len(replies) == 4 and all(isinstance(r, str) for r in replies)
    template = families.family_for(entry.model_type).TEMPLATE
    assert f"Model family: {family} (LLaMA-Factory template {template}; no remote code)." == family_text(
        {families.family_name(path)})
    frames_row = next(r for r in rows if len(r["images"]) % 2 == 1)
    forms = {"frames": frames_row, "video": as_video(frames_row)}  # an odd frame count for the video
    for row in (forms[form] for form in families.family_for(entry.model_type).MEDIA_FORMS):
        prompt_ids, media = llamafactory_inputs(path, row, root)
        ours = batch_inputs(loaded, [row], root)
        assert ours["input_ids"][0].tolist() == prompt_ids
        for key in ("pixel_values", "image_grid_thw", "pixel_values_videos", "video_grid_thw"):
            assert (key in ours) == (key in media), key
            if key in media:
                assert torch.equal(ours[key], media[key]), key


@pytest.mark.slow
def test_llava_next_video_cannot_be_trained_on_videos_under_the_pins(lab, tmp_path):
    """Why its family lists frames only: LLaMA-Factory's plugin calls the video processor in a
    way transformers 5.6 refuses. When the pins move and this stops failing, add "video"."""
    path = build_twin(TINY, tmp_path / "llava", "llava_next_video")
    with pytest.raises(TypeError, match="images"):
        llamafactory_inputs(path, as_video(lab["test_rows"][0]), lab["root"])


def test_a_family_whose_cpu_kernels_vary_trains_with_strict_mkl_and_a_fingerprint_that_says_so(tmp_path):
    from fragmentforge.training.runner import fingerprint_of

    for name, strict in (("internvl", True), ("qwen2_vl", False)):
        build_twin(TINY, tmp_path / name, name)
        assert families.reproducible_cpu_env(tmp_path / name) == (families.STRICT_MKL if strict else {})
    entry = SimpleNamespace(content_hash="h")
    plain = fingerprint_of({"lr": 1}, entry, {}, None)
    assert fingerprint_of({"lr": 1}, entry, {}, None, {}) == plain  # the other families' adapters stay valid
    assert fingerprint_of({"lr": 1}, entry, {}, None, families.STRICT_MKL) != plain


def test_frames_are_resized_into_the_family_bounds_as_llamafactory_does():
    from llamafactory.data.mm_plugin import BasePlugin
    from PIL import Image

    from fragmentforge.evaluate.model_io import within_bounds

    plugin = BasePlugin(image_token=None, video_token=None, audio_token=None)
    rng = __import__("numpy").random.default_rng(0)
    for size, bounds in (((300, 170), (256 * 256, 16 * 16)), ((12, 9), (256 * 256, 32 * 32)), ((64, 64), (128 ** 2, 8))):
        image = Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype="uint8"))
        ours = within_bounds(image, *bounds)
        theirs = plugin._preprocess_image(image, image_max_pixels=bounds[0], image_min_pixels=bounds[1])
        assert ours.size == theirs.size and ours.tobytes() == theirs.tobytes(), size


def test_a_family_that_takes_frames_only_is_never_handed_a_video_dataset(tmp_path):
    import json

    from fragmentforge.training.runner import TrainingFailed, check_media_forms

    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text(json.dumps({"model_type": "llava_next_video"}))
    columns = {"scene_frames": {"messages": "messages", "images": "images"},
               "scene_video": {"messages": "messages", "images": "images", "videos": "videos"}}
    (tmp_path / "dataset_info.json").write_text(json.dumps({n: {"columns": c} for n, c in columns.items()}))
    check_media_forms(model, tmp_path, ("scene_frames",))
    with pytest.raises(TrainingFailed, match="scene_video show clips as videos.*llava_next_video.*frames"):
        check_media_forms(model, tmp_path, ("scene_frames", "scene_video"))
    (model / "config.json").write_text(json.dumps({"model_type": "qwen2_vl"}))
    check_media_forms(model, tmp_path, ("scene_frames", "scene_video"))
