"""The evaluator on plain transformers + peft: a trained counting adapter against its base in
both scoring modes, idempotent result rows, and the statistics."""
from __future__ import annotations

from dataclasses import replace

import duckdb
import numpy as np

from fragmentforge.config import load_params
from fragmentforge.config.schema import EvaluationParams
from fragmentforge.evaluate.model_io import load_model
from fragmentforge.evaluate.questions import Question
from fragmentforge.evaluate.runner import metric_rows, predict
from fragmentforge.evaluate.stats import chance, cluster_bootstrap
from fragmentforge.results_db import record_evaluation
from tests.conftest import REPO
from tests.counting_data import LETTERS, SIZES

EVAL = EvaluationParams(batch_size=8, bootstrap_resamples=500, seed=3)


def questions_of(rows) -> list[Question]:
    options = {LETTERS[i]: str(size) for i, size in enumerate(SIZES)}
    return [Question(qa_id=f"counting:v{i // 4}:{i}", task="counting", level="fragment", n=len(r["images"]),
                     video_id=f"v{i // 4}", options=options, answer=r["messages"][1]["content"], row=r)
            for i, r in enumerate(rows)]


def accuracy_of(predictions) -> float:
    return float(np.mean([p["correct"] for p in predictions]))


def test_trained_counting_adapter_far_above_chance_in_both_scoring_modes(lab):
    questions = questions_of(lab["test_rows"])
    base_path = lab["root"] / "registry" / "tiny"
    base = load_model(base_path)
    adapted = load_model(base_path, lab["count"].adapter_dir)
    for scoring in ("likelihood", "generation"):
        params = replace(EVAL, scoring=scoring)
        base_acc = accuracy_of(predict(base, questions, params, lab["root"]))
        adapted_predictions = predict(adapted, questions, params, lab["root"])
        assert base_acc <= 0.25 + 0.2, (scoring, base_acc)
        assert accuracy_of(adapted_predictions) >= 0.85, scoring
    # Generation: the adapter answers with a bare letter, which the parser reads.
    assert {p["parse_status"] for p in adapted_predictions} == {"parsed"}
    assert all(p["reply"].strip() in LETTERS for p in adapted_predictions)


def test_batched_and_one_at_a_time_predictions_agree(lab):
    questions = questions_of(lab["test_rows"][:12])
    model = load_model(lab["root"] / "registry" / "tiny", lab["count"].adapter_dir)
    batched = predict(model, questions, replace(EVAL, batch_size=6), lab["root"])
    single = predict(model, questions, replace(EVAL, batch_size=1), lab["root"])
    assert [p["prediction"] for p in batched] == [p["prediction"] for p in single]


def test_thread_count_changes_no_score(lab):
    # Why evaluation.threads is not in a run's identity: the lanes run one thread each.
    import torch

    questions = questions_of(lab["test_rows"][:16])
    model = load_model(lab["root"] / "registry" / "tiny", lab["count"].adapter_dir)
    before = torch.get_num_threads()
    try:
        runs = []
        for threads in (1, 2):
            torch.set_num_threads(threads)
            runs.append(predict(model, questions, EVAL, lab["root"]))
    finally:
        torch.set_num_threads(before)
    assert [p["option_scores"] for p in runs[0]] == [p["option_scores"] for p in runs[1]]


def test_rerunning_an_evaluation_replaces_its_rows(tmp_path):
    questions = [Question(qa_id=f"q{i}", task="counting", level="fragment", n=3, video_id=f"v{i % 3}",
                          options={"A": "2", "B": "3"}, answer="A", row={}) for i in range(6)]
    predictions = [{"run_id": "r1", "qa_id": q.qa_id, "task": q.task, "level": q.level, "n": q.n,
                    "video_id": q.video_id, "answer": "A", "prediction": "A" if i % 2 else None, "correct": bool(i % 2),
                    "option_scores": None, "parse_status": "parsed" if i % 2 else "unparseable", "reply": "x"}
                   for i, q in enumerate(questions)]
    run = {"run_id": "r1", "base_model": "m", "base_hash": "h", "variant": "base", "adapter_hash": None,
           "dataset_hash": "d", "params_hash": "p", "code_version": "c", "device": "cpu", "scoring": "generation",
           "questions": 6, "started_at": "2026-11-23T00:00:00", "ended_at": "2026-11-23T00:01:00"}
    metrics = metric_rows("r1", questions, predictions, EVAL)
    with duckdb.connect(str(tmp_path / "r.duckdb")) as conn:
        for _ in range(2):
            record_evaluation(conn, run, predictions, metrics)
        counts = [conn.execute(f"select count(*) from {t}").fetchone()[0] for t in ("runs", "predictions", "metrics")]
        assert counts == [1, 6, len(metrics)]
        overall = conn.execute("select accuracy, unparseable, chance from metrics where n is null").fetchone()
    assert overall == (0.5, 3, 0.5)  # unparseable answers stay in the denominator


def test_bootstrap_resamples_videos_not_questions():
    # Ten videos, each all right or all wrong: questions inside a video are perfectly correlated.
    correct = np.repeat([1, 0] * 5, 20)
    videos = np.repeat(np.arange(10), 20)
    acc, low, high = cluster_bootstrap(correct, videos, resamples=2000, seed=1)
    naive_acc, naive_low, naive_high = cluster_bootstrap(correct, np.arange(200), resamples=2000, seed=1)
    assert acc == naive_acc == 0.5
    assert high - low > 2 * (naive_high - naive_low)  # ten effective samples, not two hundred
    assert chance([4, 4, 3]) == (0.25 + 0.25 + 1 / 3) / 3


def test_mvbench_format_file_samples_once_and_reports_bad_entries(tmp_path, lab):
    import json

    from fragmentforge.config import SyntheticParams
    from fragmentforge.evaluate import external
    from fragmentforge.synthetic.clips import synthesize

    clips = synthesize(SyntheticParams(seed=5, num_clips=2, width=64, height=64, fps=8, min_seconds=2.0,
                                       max_seconds=2.0, crf=20), tmp_path / "synthetic").out_dir / "clips"
    videos = sorted(clips.glob("*.mp4"))
    (clips / "broken.mp4").write_bytes(b"\x00" * 256)
    entries = [
        {"video": videos[0].name, "question": "What happens?", "candidates": ["x", "y", "z"], "answer": "y"},
        {"video": videos[0].name, "question": "And then?", "candidates": ["x", "y", "z"], "answer": "z"},
        {"video": videos[1].name, "question": "Early on?", "candidates": ["p", "q"], "answer": "p",
         "start": 0.0, "end": 1.0},
        {"video": "missing.mp4", "question": "?", "candidates": ["a", "b"], "answer": "a"},
        {"video": "broken.mp4", "question": "?", "candidates": ["a", "b"], "answer": "b"},
    ]
    qa = tmp_path / "mvbench_demo.json"
    qa.write_text(json.dumps(entries))
    root = tmp_path
    frames = load_params(REPO / "params.yaml").keyframes
    frames = replace(frames, frame_short_side=64, jpeg_quality=75)
    questions, problems = external.build_questions(qa, clips, tmp_path / "cache", root, 4, frames, 60)
    assert [q.answer for q in questions] == ["B", "C", "A"]
    assert {p["video"]: p["reason"] for p in problems}["missing.mp4"] == "video file not found"
    assert "broken.mp4" in {p["video"] for p in problems}
    assert questions[0].row["images"] == questions[1].row["images"]  # one sampling per video and window
    assert len(questions[2].row["images"]) == 4 and questions[2].row["images"] != questions[0].row["images"]
    assert questions[0].row["messages"][0]["content"].count("<image>") == 4
    from PIL import Image

    with Image.open(root / questions[0].row["images"][0]) as first:  # stored as the keyframes node stores frames
        assert min(first.size) == 64 and first.format == "JPEG"
    cached = sorted((tmp_path / "cache").glob("*/frames.json"))
    assert len(cached) == 2
    stamps = [p.stat().st_mtime_ns for p in cached]
    again, _ = external.build_questions(qa, clips, tmp_path / "cache", root, 4, frames, 60)
    assert [p.stat().st_mtime_ns for p in cached] == stamps and again[0].row == questions[0].row
    model = load_model(lab["root"] / "registry" / "tiny")
    predictions = predict(model, questions, EVAL, root)
    metrics = metric_rows("ext", questions, predictions, EVAL)
    overall = next(m for m in metrics if m["n"] is None)
    assert overall["questions"] == 3 and overall["task"] == "external:mvbench_demo"
    assert overall["chance"] == (1 / 3 + 1 / 3 + 1 / 2) / 3


def test_option_text_likelihood_matches_a_direct_computation(lab):
    """Batched, left-padded text scoring equals the mean log-probability computed by hand."""
    import torch

    from fragmentforge.evaluate.likelihood import score_rows_by_text
    from fragmentforge.evaluate.model_io import open_rgb, to_chat

    loaded = load_model(lab["root"] / "registry" / "tiny")
    rows = lab["test_rows"][:3]
    scored = score_rows_by_text(loaded, rows, lab["root"], batch_size=5)  # batches straddle questions
    assert all(set(s["scores"]) == set(LETTERS[:len(SIZES)]) for s in scored)
    processor = loaded.processor
    for row, result in zip(rows, scored):
        images = [open_rgb(lab["root"] / p) for p in row["images"]]
        prompt = processor.apply_chat_template(to_chat(row["messages"][0]["content"]), add_generation_prompt=True,
                                               tokenize=False)
        prompt_len = processor(text=[prompt], images=images, return_tensors="pt")["input_ids"].shape[1]
        for letter, size in zip(LETTERS, SIZES):
            full = processor(text=[prompt + str(size)], images=images, return_tensors="pt")
            with torch.no_grad():
                log_probs = torch.log_softmax(loaded.model(**full).logits[0].float(), dim=-1)
            ids = full["input_ids"][0]
            direct = torch.stack([log_probs[t - 1, ids[t]] for t in range(prompt_len, len(ids))]).mean()
            assert abs(result["scores"][letter] - float(direct)) < 1e-3
        assert result["prediction"] == max(result["scores"], key=result["scores"].get)


def test_cached_visual_embeddings_score_like_fresh_ones_and_stay_within_their_budget(lab, monkeypatch):
    from fragmentforge.evaluate import likelihood

    rows = lab["test_rows"][:6]
    fresh = likelihood.score_rows_by_text(load_model(lab["root"] / "registry" / "tiny"), rows, lab["root"], 8)
    loaded = load_model(lab["root"] / "registry" / "tiny")
    likelihood.score_rows_by_text(loaded, rows, lab["root"], 8)
    shown = {p for row in rows for p in row["images"]}
    assert set(loaded.vision_cache) == shown  # every frame encoded once and kept
    again = likelihood.score_rows_by_text(loaded, rows, lab["root"], 8)  # every frame from the cache
    for a, b in zip(fresh, again):
        assert a["prediction"] == b["prediction"]
        assert all(abs(a["scores"][k] - b["scores"][k]) < 1e-4 for k in a["scores"])
    monkeypatch.setattr(likelihood, "VISION_CACHE_BYTES", 0)  # nothing kept past the question in hand
    loaded.vision_cache.clear()
    tight = likelihood.score_rows_by_text(loaded, rows, lab["root"], 2)  # two prompts a pass
    assert [t["prediction"] for t in tight] == [f["prediction"] for f in fresh]
    assert set(loaded.vision_cache) <= {p for row in rows[-2:] for p in row["images"]}


def test_options_scored_after_one_cached_prompt_pass_equal_one_sequence_each(lab, monkeypatch):
    """The prompt-cache path (each prompt once, its options as continuations) against each option
    run as its own sequence: the same scores and predictions."""
    from fragmentforge.evaluate import likelihood

    rows = lab["test_rows"][:10]
    loaded = load_model(lab["root"] / "registry" / "tiny", lab["count"].adapter_dir)
    assert likelihood.prompt_cache_applies(loaded, rows)
    cached = likelihood.score_rows_by_text(loaded, rows, lab["root"], 4, reduce="sum")
    monkeypatch.setattr(likelihood, "prompt_cache_applies", lambda *args: False)
    single = likelihood.score_rows_by_text(loaded, rows, lab["root"], 4, reduce="sum")
    for a, b in zip(cached, single):
        assert a["prediction"] == b["prediction"]
        assert all(abs(a["scores"][k] - b["scores"][k]) < 1e-4 for k in a["scores"])


def test_letters_scored_over_all_their_tokens_equal_the_one_token_path(lab):
    """The path for letters of several tokens (each letter scored as a whole reply, its tokens'
    log-probabilities summed) gives what the one-token path gives where a letter is one token."""
    from fragmentforge.evaluate.likelihood import score_rows, score_rows_by_text

    loaded = load_model(lab["root"] / "registry" / "tiny")
    rows = lab["test_rows"][:4]
    fast = score_rows(loaded, rows, lab["root"], batch_size=4)
    general = score_rows_by_text(loaded, rows, lab["root"], batch_size=3, reduce="sum", reply="letter")
    for a, b in zip(fast, general):
        assert a["scores"].keys() == b["scores"].keys()
        assert all(abs(a["scores"][k] - b["scores"][k]) < 1e-3 for k in a["scores"])
        assert a["prediction"] == b["prediction"]


def test_group_delta_is_the_difference_of_task_means_resampled_by_video(tmp_path):
    from fragmentforge.evaluate.report_tables import group_delta

    def run_rows(run_id, right):
        rows = []
        for i in range(40):
            task = ("t1", "t2")[i % 2]
            rows.append({"run_id": run_id, "qa_id": f"q{i}", "task": task, "level": "fragment", "n": 3,
                         "video_id": f"v{i % 10}", "answer": "A", "prediction": "A" if right(task, i) else "B",
                         "correct": right(task, i), "option_scores": None, "parse_status": "scored", "reply": None})
        return rows

    run = {"base_model": "m", "base_hash": "h", "adapter_hash": None, "dataset_hash": "d", "params_hash": "p",
           "code_version": "c", "device": "cpu", "scoring": "likelihood", "questions": 40,
           "started_at": "2026-11-23T00:00:00", "ended_at": "2026-11-23T00:01:00"}
    with duckdb.connect(str(tmp_path / "r.duckdb")) as conn:
        # a: right on all of t1 and on half of t2; b: wrong on all of t1, the same half of t2
        record_evaluation(conn, {**run, "run_id": "a", "variant": "x"},
                          run_rows("a", lambda t, i: t == "t1" or i % 4 == 1), [])
        record_evaluation(conn, {**run, "run_id": "b", "variant": "base"},
                          run_rows("b", lambda t, i: t == "t2" and i % 4 == 1), [])
        delta, low, high = group_delta(conn, "a", "b", ["t1", "t2"], resamples=200, seed=1)
        assert (delta, low, high) == (0.5, 0.5, 0.5)  # t1 +1 everywhere, t2 0 everywhere
        delta, low, high = group_delta(conn, "b", "a", ["t1"], resamples=200, seed=1)
        assert delta == -1.0 and high == -1.0
