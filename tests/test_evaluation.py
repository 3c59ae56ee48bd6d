"""The evaluator on plain transformers + peft: a trained counting adapter against its base in
both scoring modes, idempotent result rows, and the statistics."""
from __future__ import annotations

from dataclasses import replace

import duckdb
import numpy as np

from stages.config.schema import EvaluationParams
from stages.evaluate.model_io import load_model
from stages.evaluate.questions import Question
from stages.evaluate.runner import metric_rows, predict
from stages.evaluate.stats import chance, cluster_bootstrap
from stages.results_db import record_evaluation
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
