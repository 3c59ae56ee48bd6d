"""Collapse: a model that answers one letter whatever it is shown.

Letters are balanced per task, so a constant answer scores exactly chance and hides behind a
plausible accuracy. Two symptoms are measured for every model:
- in evaluation, per run and task, the share of the most frequent predicted letter and the
  entropy of the predicted letters; a task whose top share reaches the threshold is collapsed;
- in training, a final loss at the letter-prior loss: what a model that knows the answer
  format and the letter prior, and nothing else, reaches on the training data.
Under text replies (tasks.answer_format: text) letters stay balanced but option texts do not: the
spread is taken over the predicted option texts, and the training check does not apply.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

# A training loss within this fraction of the letter-prior loss has learned no more than the prior.
PRIOR_LOSS_MARGIN = 0.1


def letter_spread(letters) -> dict:
    """Top letter, its share and the entropy (bits) of the predicted letters (None: no prediction)."""
    counts = Counter(letter for letter in letters)
    total = sum(counts.values())
    if not total:
        return {"top_letter": None, "top_share": None, "entropy_bits": None}
    top, count = max(sorted(counts.items(), key=lambda kv: str(kv[0])), key=lambda kv: kv[1])
    entropy = -sum(c / total * math.log2(c / total) for c in counts.values())
    return {"top_letter": top, "top_share": count / total, "entropy_bits": entropy + 0.0}


def is_collapsed(metric: dict, threshold: float) -> bool:
    share = metric.get("top_share")
    return share is not None and share >= threshold


def collapsed_tasks(metrics: list[dict], threshold: float) -> list[dict]:
    """The per-task rows (over every N) whose predictions are collapsed."""
    return [m for m in metrics if m.get("n") is None and is_collapsed(m, threshold)]


def answer_tokens(rows: list[dict], tokenizer) -> list[tuple[int | None, int]]:
    """(options, trained tokens) per training row with options: the reply, its end-of-turn token
    and the newline after it, as LLaMA-Factory's qwen2_vl template labels them. Options is None
    where the reply is an option's text rather than its letter."""
    from fragmentforge.evaluate.model_io import option_letters, user_turn

    out = []
    for row in rows:
        letters = option_letters(user_turn(row))
        reply = next((m["content"] for m in row["messages"] if m["role"] == "assistant"), None)
        if letters and reply is not None:
            count = len(tokenizer.encode(reply + "<|im_end|>\n", add_special_tokens=False))
            out.append((len(letters) if reply in letters else None, count))
    return out


def prior_loss(dataset_files: list[Path], tokenizer) -> float | None:
    """The mean loss per trained token of a model that puts the uniform letter prior on the answer
    letter and is certain of every other trained token: the plateau of a collapsed run.

    None when the replies are option texts: a blind model's loss there is no plateau a trained
    run reaches, since spelling out a many-token option is not free either (Base+SF²T counts
    frames at 99% and still ends above it). The evaluation's answer spread and answer-prior row
    cover that case."""
    nats = tokens = 0.0
    for path in dataset_files:
        for options, count in answer_tokens(json.loads(Path(path).read_text()), tokenizer):
            if options is None:
                return None
            nats += math.log(options)
            tokens += count
    return nats / tokens if tokens else None


def training_at_prior(final_loss: float | None, prior: float | None, margin: float = PRIOR_LOSS_MARGIN) -> bool:
    return final_loss is not None and prior is not None and final_loss >= prior * (1 - margin)
