"""One evaluation run: questions through a loaded model, predictions, metrics by task and N."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from fragmentforge.evaluate.collapse import letter_spread
from fragmentforge.evaluate.generation import generate_rows
from fragmentforge.evaluate.likelihood import score_by_reply, score_rows, score_rows_by_text
from fragmentforge.evaluate.model_io import LoadedModel
from fragmentforge.evaluate.parser import PARSED, UNPARSEABLE, parse_answer
from fragmentforge.evaluate.questions import Question
from fragmentforge.evaluate.stats import chance, cluster_bootstrap

if TYPE_CHECKING:
    from fragmentforge.config.schema import EvaluationParams

SCORED = "scored"  # likelihood mode: the prediction is an argmax, there is nothing to parse


def predict(loaded: LoadedModel, questions: list[Question], params: EvaluationParams, media_dir: Path) -> list[dict]:
    rows = [q.row for q in questions]
    if params.scoring == "likelihood":
        # text-reply questions by their option text; lettered ones by `likelihood_target`
        lettered = score_rows if params.likelihood_target == "letter" else score_rows_by_text
        scored = score_by_reply(loaded, rows, media_dir, params.batch_size, letter_scorer=lettered)
        outcomes = [(s["prediction"], s["scores"], SCORED, None) for s in scored]
    else:
        replies = generate_rows(loaded, rows, media_dir, params.batch_size, params.max_new_tokens)
        outcomes = []
        for q, reply in zip(questions, replies):
            parsed = parse_answer(reply, q.options)
            outcomes.append((parsed.letter, None, parsed.status, reply))
    return [{"qa_id": q.qa_id, "task": q.task, "level": q.level, "n": q.n, "video_id": q.video_id,
             "answer": q.answer, "prediction": letter, "correct": letter == q.answer,
             "option_scores": json.dumps(scores) if scores is not None else None,
             "parse_status": status, "reply": reply}
            for q, (letter, scores, status, reply) in zip(questions, outcomes)]


def predicted_choice(q: Question, prediction: dict) -> str:
    """What the collapse check counts: the letter, or under text replies the option's text
    (letters stay balanced while a model answers "Yes" to everything)."""
    letter = prediction["prediction"]
    return q.options.get(letter, letter) if q.answer_format == "text" else letter


def answer_prior_mean(priors: list) -> float | None:
    return None if not priors or any(p is None for p in priors) else sum(priors) / len(priors)


def metric_rows(run_id: str, questions: list[Question], predictions: list[dict], params: EvaluationParams) -> list[dict]:
    """Per task over every N (n = None), and per task and N for tasks that show different
    numbers of frames: accuracy with its interval, and how the predicted letters spread."""
    groups: dict[tuple, list[tuple[Question, dict]]] = defaultdict(list)
    sizes: dict[str, set] = defaultdict(set)
    for q in questions:
        sizes[q.task].add(q.n)
    for q, p in zip(questions, predictions):
        groups[(q.task, None)].append((q, p))
        if len(sizes[q.task]) > 1:
            groups[(q.task, q.n)].append((q, p))
    out = []
    for (task, n), pairs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        acc, low, high = cluster_bootstrap([p["correct"] for _, p in pairs], [q.video_id for q, _ in pairs],
                                           params.bootstrap_resamples, params.seed)
        out.append({"run_id": run_id, "task": task, "n": n, "questions": len(pairs), "accuracy": acc,
                    "ci_low": low, "ci_high": high, "chance": chance([len(q.options) for q, _ in pairs]),
                    "answer_prior": answer_prior_mean([q.prior for q, _ in pairs]),
                    "unparseable": sum(p["parse_status"] == UNPARSEABLE for _, p in pairs),
                    **letter_spread(predicted_choice(q, p) for q, p in pairs if p["prediction"] is not None)})
    return out


__all__ = ["predict", "metric_rows", "SCORED", "PARSED", "UNPARSEABLE"]
