"""Base models and LoRA training: the registry, the embedded tiny Qwen2-VL, LLaMA-Factory runs.

Accuracy is measured with plain transformers + peft (stages/fragmentforge/evaluate), never with
LLaMA-Factory's predict path.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import duckdb
import numpy as np
import psutil
import pytest

from fragmentforge.config.schema import VariantSpec
from fragmentforge.evaluate.likelihood import accuracy, score_rows
from fragmentforge.evaluate.model_io import load_model, to_chat
from fragmentforge.layout import TRAINING_RECORD
from fragmentforge.models.registry import Registry
from fragmentforge.models.twins import build_twin
from fragmentforge.results_db import record_training
from fragmentforge.training.recipe import build_recipe
from fragmentforge.training.runner import checkpoint_complete, dataset_fingerprint, prepare_work, read_log, train_variant
from tests.conftest import REPO
from tests.training_lab import COUNT, PARAMS, TINY, TRAINING, train  # noqa: F401 (lab: conftest)


def test_tiny_model_builds_bit_for_bit_the_same(tmp_path, lab):
    build_twin(TINY, tmp_path / "again" / "tiny")
    (again,), _ = Registry(str(tmp_path / "again")).scan()
    assert again.content_hash == lab["entry"].content_hash
    assert lab["entry"].architecture == "Qwen2VLForConditionalGeneration" and lab["entry"].model_type == "qwen2_vl"
    assert 100_000 < lab["entry"].parameters < 1_000_000
    other = replace(TINY, seed=TINY.seed + 1)
    build_twin(other, tmp_path / "other" / "tiny")
    (changed,), _ = Registry(str(tmp_path / "other")).scan()
    assert changed.content_hash != lab["entry"].content_hash


def test_evaluation_prompt_matches_llamafactory_training_tokens(lab):
    """The processor's chat template yields exactly the ids LLaMA-Factory's qwen2_vl template trains on."""
    from llamafactory.data import get_template_and_fix_tokenizer
    from llamafactory.hparams import DataArguments
    from PIL import Image
    from transformers import AutoProcessor

    processor = AutoProcessor.from_pretrained(lab["root"] / "registry" / "tiny")
    template = get_template_and_fix_tokenizer(processor.tokenizer, DataArguments(template="qwen2_vl"))
    for name, value in {"image_max_pixels": 768 * 768, "image_min_pixels": 32 * 32, "image_do_pan_and_scan": False,
                        "video_max_pixels": 256 * 256, "video_min_pixels": 16 * 16, "video_fps": 2.0,
                        "video_maxlen": 128}.items():
        setattr(processor, name, value)  # what LLaMA-Factory's loader attaches before training
    row = lab["test_rows"][2]
    images = [Image.open(lab["root"] / p).convert("RGB") for p in row["images"]]
    messages = template.mm_plugin.process_messages(row["messages"], images, [], [], processor)
    prompt_ids, answer_ids = template.encode_oneturn(processor.tokenizer, messages, None, None)
    text = processor.apply_chat_template(to_chat(row["messages"][0]["content"]), add_generation_prompt=True,
                                         tokenize=False)
    ours = processor(text=[text], images=images, return_tensors="pt")["input_ids"][0].tolist()
    assert ours == prompt_ids
    assert processor.tokenizer.decode(answer_ids) == row["messages"][1]["content"] + "<|im_end|>\n"


def test_frames_shown_as_a_video_reach_the_model_as_llamafactory_trains_them(lab):
    """A row whose frames are one video (an odd number of them): the evaluator's ids, video
    patches and grid are the ones LLaMA-Factory's qwen2_vl plugin builds for training."""
    import torch
    from llamafactory.data import get_template_and_fix_tokenizer
    from llamafactory.hparams import DataArguments
    from transformers import AutoProcessor

    from fragmentforge.evaluate.model_io import batch_inputs

    path = lab["root"] / "registry" / "tiny"
    processor = AutoProcessor.from_pretrained(path)
    template = get_template_and_fix_tokenizer(processor.tokenizer, DataArguments(template="qwen2_vl"))
    for name, value in {"image_max_pixels": 768 * 768, "image_min_pixels": 32 * 32, "image_do_pan_and_scan": False,
                        "video_max_pixels": 256 * 256, "video_min_pixels": 16 * 16, "video_fps": 2.0,
                        "video_maxlen": 128}.items():
        setattr(processor, name, value)
    image_row = next(r for r in lab["test_rows"] if len(r["images"]) % 2 == 1)
    question = image_row["messages"][0]["content"].replace("<image>", "")
    row = {"messages": [{"role": "user", "content": "<video>" + question}, image_row["messages"][1]],
           "videos": [image_row["images"]]}
    video = [str(lab["root"] / p) for p in image_row["images"]]
    messages = template.mm_plugin.process_messages(row["messages"], [], [video], [], processor)
    prompt_ids, _ = template.encode_oneturn(processor.tokenizer, messages, None, None)
    trained = template.mm_plugin.get_mm_inputs([], [video], [], [0], [1], [0], [prompt_ids], processor)
    ours = batch_inputs(load_model(path, device="cpu"), [row], lab["root"])
    assert ours["input_ids"][0].tolist() == prompt_ids
    assert torch.equal(ours["video_grid_thw"], trained["video_grid_thw"])
    assert int(ours["video_grid_thw"][0, 0]) == (len(video) + 1) // 2  # the odd frame count, padded by one
    assert torch.equal(ours["pixel_values_videos"], trained["pixel_values_videos"])
    from fragmentforge.evaluate.likelihood import score_by_reply

    (scored,) = score_by_reply(load_model(path, device="cpu"), [row], lab["root"], batch_size=4)
    assert scored["prediction"] in "ABCD"  # scored by each option's text, the video run once per option


def test_registry_reports_folders_that_are_not_models(tmp_path, lab):
    import shutil

    good = lab["root"] / "registry" / "tiny"
    shutil.copytree(good, tmp_path / "ok")
    (tmp_path / "no_config").mkdir()
    (tmp_path / "bad_json").mkdir()
    (tmp_path / "bad_json" / "config.json").write_text("{not json")
    shutil.copytree(good, tmp_path / "no_weights")
    (tmp_path / "no_weights" / "model.safetensors").unlink()
    shutil.copytree(good, tmp_path / "no_tokenizer")
    (tmp_path / "no_tokenizer" / "tokenizer.json").unlink()
    shutil.copytree(good, tmp_path / "missing_shard")
    (tmp_path / "missing_shard" / "model.safetensors").rename(tmp_path / "missing_shard" / "part-1.safetensors")
    (tmp_path / "missing_shard" / "model.safetensors.index.json").write_text(json.dumps(
        {"weight_map": {"a": "part-1.safetensors", "b": "part-2.safetensors"}}))
    shutil.copytree(good, tmp_path / "truncated")
    (tmp_path / "truncated" / "model.safetensors").write_bytes(b"\x01\x02")
    models, problems = Registry(str(tmp_path)).scan()
    assert [m.name for m in models] == ["ok"]
    reasons = {p.name: p.reason for p in problems}
    assert reasons["no_config"] == "no config.json"
    assert "not valid JSON" in reasons["bad_json"]
    assert reasons["no_weights"].startswith("no weights")
    assert reasons["no_tokenizer"].startswith("no tokenizer")
    assert "part-2.safetensors" in reasons["missing_shard"]
    assert "not a safetensors file" in reasons["truncated"]


def test_registry_on_s3_builds_scans_and_copies_by_hash(tmp_path, s3_endpoint, lab):
    import boto3

    from fragmentforge.models.build import build_base_model, open_registry

    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket="models")
    params = replace(PARAMS, models=replace(PARAMS.models, registry="s3://models/registry", endpoint_url=s3_endpoint,
                                            tiny=TINY))
    assert build_base_model(params, tmp_path) is True
    assert build_base_model(params, tmp_path) is False  # the build record matches: not rebuilt
    boto3.client("s3", endpoint_url=s3_endpoint).put_object(Bucket="models", Key="registry/half/config.json",
                                                            Body=b'{"model_type": "qwen2_vl"}')
    registry = open_registry(params, tmp_path)
    (entry,), (problem,) = registry.scan()
    assert entry.uri == "s3://models/registry/tiny-qwen2vl" and problem.name == "half"
    assert problem.reason.startswith("no tokenizer")
    assert entry.content_hash == lab["entry"].content_hash  # the same bytes as the local build
    local = registry.local_copy(entry, tmp_path / "cache")
    assert (Registry(str(local.parent)).describe(local.name).content_hash == entry.content_hash)
    assert registry.local_copy(entry, tmp_path / "cache") == local


def test_counting_adapter_far_above_chance_where_the_base_is_near_it(lab):
    rows, media = lab["test_rows"], lab["root"]
    base = load_model(media / "registry" / "tiny")
    adapted = load_model(media / "registry" / "tiny", lab["count"].adapter_dir)
    base_acc = accuracy(rows, score_rows(base, rows, media))
    adapter_acc = accuracy(rows, score_rows(adapted, rows, media))
    chance = 1 / 4
    assert base_acc <= chance + 0.2, base_acc
    assert adapter_acc >= 0.85, adapter_acc
    record = lab["count"].record
    assert record["final_loss"] < 0.2 and record["steps"] == 60  # 160 rows / 8 per step x 3 epochs
    assert 0 < record["trainable_parameters"] < record["total_parameters"]
    assert (lab["count"].adapter_dir / "training_loss.png").stat().st_size > 1000


def test_unchanged_variant_is_not_retrained_and_changed_data_is(lab):
    again = train(lab, COUNT)
    assert again.status == "up_to_date" and again.record == lab["count"].record
    before = dataset_fingerprint(lab["datasets"], ("count_train",), lab["root"])
    image = lab["root"] / lab["test_rows"][0]["images"][0]
    train_image = lab["root"] / json.loads((lab["datasets"] / "count_train.json").read_text())[0]["images"][0]
    original = train_image.read_bytes()
    try:
        train_image.write_bytes(image.read_bytes())
        assert dataset_fingerprint(lab["datasets"], ("count_train",), lab["root"]) != before
    finally:
        train_image.write_bytes(original)


@pytest.mark.slow  # trains adapters of its own (about 10 s): out of the fast tier
def test_a_variant_on_the_same_data_loads_the_tokenized_copy_and_trains_the_same_adapter(lab):
    assert lab["count"].record["tokenized"] == "tokenized"
    twin = replace(COUNT, name="count_twin", label="twin")  # another name, the same data and recipe
    result = train(lab, twin, training=replace(TRAINING, variants=(COUNT, twin)))
    assert result.record["tokenized"] == "reused"
    assert "Loaded tokenized dataset from" in (result.adapter_dir / "launch.log").read_text()
    assert result.record["adapter_hash"] == lab["count"].record["adapter_hash"]
    assert result.record["final_loss"] == lab["count"].record["final_loss"]


@pytest.mark.slow  # trains an adapter of its own (about 10 s): out of the fast tier
def test_threads_change_the_time_not_the_adapter(lab):
    # Why `training.threads` is not in the fingerprint: the same recipe on two threads ends at the
    # same adapter up to float rounding (a matmul split over two threads sums in another order;
    # on some set-ups the bytes match, on 2026-12-08's they did not).
    from safetensors.numpy import load_file

    assert lab["count"].record["threads"] == TRAINING.threads == 1
    twin = replace(COUNT, name="count_two_threads", label="two threads")
    result = train(lab, twin, training=replace(TRAINING, variants=(COUNT, twin), threads=2))
    assert result.status == "trained" and result.record["threads"] == 2
    assert result.record["final_loss"] == pytest.approx(lab["count"].record["final_loss"], rel=1e-3)
    one, two = (load_file(str(r.adapter_dir / "adapter_model.safetensors")) for r in (lab["count"], result))
    assert one.keys() == two.keys()
    for name in one:
        scale = float(np.abs(one[name]).max()) or 1.0
        assert float(np.abs(one[name] - two[name]).max()) <= 1e-3 * scale, (name, float(np.abs(one[name] - two[name]).max()), scale)


def schedule(monkeypatch, variants, seconds, spans, done, broken=()):
    """train_side_by_side in threads with a stand-in for train_one: only the schedule is tested.
    Fills each variant's (start, end) and the variants reported done."""
    from fragmentforge.training import adapters
    from fragmentforge.training.runner import TrainingFailed

    def fake_train(params, root, base, name):
        start = time.monotonic()
        time.sleep(seconds[name])
        spans[name] = (start, time.monotonic())
        if name in broken:
            raise TrainingFailed(f"{name} broke")
        return name

    monkeypatch.setattr(adapters, "train_one", fake_train)
    params = replace(PARAMS, training=replace(PARAMS.training, variants=variants, parallel=2))
    adapters.train_side_by_side(params, REPO, "tiny", [v.name for v in variants],
                                lambda base, name, result: done.append(result), pool=ThreadPoolExecutor)


def test_variants_train_side_by_side_each_after_its_parent_long_chains_first(monkeypatch):
    variants = (VariantSpec(name="b", datasets=("d",)), VariantSpec(name="c", datasets=("d",)),
                VariantSpec(name="a", datasets=("d",)), VariantSpec(name="a2", datasets=("d",), parent="a"))
    spans, done = {}, []
    schedule(monkeypatch, variants, {"a": 0.1, "a2": 0.1, "b": 0.3, "c": 0.1}, spans, done)
    assert set(done) == {"a", "a2", "b", "c"}
    assert spans["a"][0] < spans["b"][1] and spans["b"][0] < spans["a"][1]  # the chain's start and b at once
    assert spans["c"][0] >= spans["a"][1]  # c waited: a heads a longer chain
    assert spans["a2"][0] >= spans["a"][1]  # a child starts after its parent finished
    assert max(sum(s <= t < e for s, e in spans.values()) for t, _ in spans.values()) == 2


def test_a_failed_variant_stops_new_starts_and_lets_the_running_finish(monkeypatch):
    from fragmentforge.training.runner import TrainingFailed

    variants = (VariantSpec(name="a", datasets=("d",)), VariantSpec(name="c", datasets=("d",)),
                VariantSpec(name="c2", datasets=("d",), parent="c"), VariantSpec(name="b", datasets=("d",)))
    spans, done = {}, []
    with pytest.raises(TrainingFailed, match="c broke"):
        schedule(monkeypatch, variants, {"a": 0.3, "b": 0.1, "c": 0.05, "c2": 0.1}, spans, done, broken={"c"})
    assert done == ["a"]  # running when c failed: finished and reported
    assert set(spans) == {"a", "c"}  # nothing started after the failure, c's child least of all


@pytest.mark.slow  # trains adapters of its own (about 10 s): out of the fast tier
def test_variant_on_top_of_a_parent_and_dpo_through_the_same_stage(lab):
    dpo = VariantSpec(name="count_dpo", datasets=("count_pref",), stage="dpo", parent="count", epochs=1)
    result = train(lab, dpo, training=replace(TRAINING, variants=(COUNT, dpo)))
    assert result.status == "trained"
    recipe = (result.adapter_dir / "recipe.yaml").read_text()
    assert "stage: dpo" in recipe and "adapter_name_or_path" in recipe and "pref_beta" in recipe
    assert result.record["adapter_hash"] != lab["count"].record["adapter_hash"]
    log = read_log(result.adapter_dir / "trainer_log.jsonl")
    assert log and all(r.get("loss") is None or r["loss"] >= 0 for r in log)
    assert result.record["steps"] == 6  # 48 pairs / 8 per step


def test_recipe_switches_precision_and_what_is_tuned(tmp_path):
    (tmp_path / "config.json").write_text('{"model_type": "qwen2_vl"}')
    common = dict(base_path=tmp_path, training=TRAINING, dataset_dir=tmp_path, media_dir=tmp_path, output_dir=tmp_path)
    cpu = build_recipe(variant=COUNT, cuda=False, **common)
    gpu = build_recipe(variant=COUNT, cuda=True, **common)
    assert (cpu["bf16"], cpu["fp16"], gpu["bf16"]) == (False, False, True)
    vision = build_recipe(variant=replace(COUNT, tune="vision"), cuda=False, **common)
    language = build_recipe(variant=replace(COUNT, tune="language"), cuda=False, **common)
    assert cpu["freeze_vision_tower"] is False  # the default recipe trains the vision tower too
    assert vision["freeze_language_model"] and not vision["freeze_vision_tower"]
    assert language["freeze_vision_tower"] and not language["freeze_language_model"]
    assert cpu["template"] == "qwen2_vl" and cpu["trust_remote_code"] is False  # from the model's family file
    dpo = build_recipe(variant=replace(COUNT, stage="dpo", parent="sft"), cuda=False, parent_adapter=tmp_path / "sft",
                       **common)
    assert (dpo["ref_model"], dpo["ref_model_adapters"]) == (str(tmp_path), str(tmp_path / "sft"))  # π_ref = the parent
    assert "ref_model" not in build_recipe(variant=COUNT, cuda=False, parent_adapter=tmp_path / "sft", **common)


def test_a_model_of_no_known_family_is_refused_not_guessed(tmp_path):
    from fragmentforge.models.families import UnsupportedModel

    (tmp_path / "config.json").write_text('{"model_type": "llava_onevision"}')  # no LLaMA-Factory template
    with pytest.raises(UnsupportedModel, match="llava_onevision"):
        build_recipe(base_path=tmp_path, variant=COUNT, training=TRAINING, dataset_dir=tmp_path, media_dir=tmp_path,
                     output_dir=tmp_path, cuda=False)


def test_training_rows_replace_rather_than_duplicate(lab, tmp_path):
    log = read_log(lab["count"].adapter_dir / "trainer_log.jsonl")
    with duckdb.connect(str(tmp_path / "r.duckdb")) as conn:
        for _ in range(2):
            record_training(conn, lab["count"].record, log)
        assert conn.execute("select count(*) from training_runs").fetchone()[0] == 1
        assert conn.execute("select count(*) from training_log").fetchone()[0] == len(log)
        assert conn.execute("select steps from training_runs").fetchone()[0] == 60


RESUME_SCRIPT = """
import sys, pickle
from fragmentforge.training.runner import train_variant
train_variant(**pickle.load(open(sys.argv[1], "rb")))
"""


def test_a_checkpoint_killed_mid_save_is_dropped_and_the_one_before_resumed(tmp_path):
    work = tmp_path / "work"
    lf = work / "lf"
    (lf / "checkpoint-5").mkdir(parents=True)
    (lf / "checkpoint-5" / "trainer_state.json").write_text('{"global_step": 5}')
    (lf / "checkpoint-10").mkdir()
    (lf / "checkpoint-10" / "adapter_model.safetensors").write_bytes(b"half")  # killed before its state
    (lf / "checkpoint-15").mkdir()
    (lf / "checkpoint-15" / "trainer_state.json").write_text('{"global_st')  # killed mid-write
    (work / "fingerprint").write_text("abc\n")
    assert prepare_work(work, "abc") == lf / "checkpoint-5"
    assert sorted(p.name for p in lf.iterdir()) == ["checkpoint-5"]
    assert prepare_work(work, "other") is None and not lf.exists()


@pytest.mark.slow
def test_killed_training_resumes_from_its_last_checkpoint(lab, tmp_path):
    import pickle

    variant = VariantSpec(name="count_resume", datasets=("count_train",), epochs=2)
    training = replace(TRAINING, variants=(variant,), save_steps=5)
    root = lab["root"]
    kwargs = dict(base=lab["entry"], base_path=root / "registry" / "tiny", variant=variant, training=training,
                  dataset_dir=lab["datasets"], media_dir=root, adapters_root=root / "adapters",
                  work_root=root / "work", cuda=False)
    (tmp_path / "args.pkl").write_bytes(pickle.dumps(kwargs))
    child = subprocess.Popen([sys.executable, "-c", RESUME_SCRIPT, str(tmp_path / "args.pkl")], cwd=REPO)
    first = root / "work" / "tiny" / "count_resume" / "lf" / "checkpoint-5"
    deadline = time.monotonic() + 300
    while not checkpoint_complete(first) and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert checkpoint_complete(first), "no checkpoint appeared"
    for proc in [*psutil.Process(child.pid).children(recursive=True), psutil.Process(child.pid)]:
        proc.kill()
    child.wait()
    assert not (root / "adapters" / "tiny" / "count_resume" / TRAINING_RECORD).exists()

    result = train_variant(**kwargs)
    assert result.status == "resumed"
    resumed_step = int(result.record["resumed_from"].split("-")[1])
    assert 5 <= resumed_step < 40
    launch_log = (result.adapter_dir / "launch.log").read_text()
    assert f"Resuming training from {root / 'work' / 'tiny' / 'count_resume' / 'lf'}/checkpoint-{resumed_step}" \
        in launch_log
    # Steps up to the checkpoint were logged once, by the killed run: the rerun did not redo them.
    steps = [r["current_steps"] for r in read_log(result.adapter_dir / "trainer_log.jsonl")]
    early = [s for s in steps if s <= resumed_step]
    assert early == list(range(2, resumed_step + 1, 2)) and max(steps) == 40
    assert result.record["steps"] == 40
    assert not (root / "work" / "tiny" / "count_resume").exists()  # checkpoints go once published
