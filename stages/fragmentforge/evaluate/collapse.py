"""Collapse: a model that answers one letter whatever it is shown.

Letters are balanced per task, so a constant answer scores exactly chance and hides behind a
plausible accuracy. Two symptoms are measured for every model:
- in evaluation, per run and task, the share of the most frequent predicted letter and the
  entropy of the predicted letters; a task whose top share reaches the threshold is collapsed;
- in training, a final loss at the letter-prior loss: what a model that knows the answer
  format and the letter prior, and nothing else, reaches on the training data.
Under text replies (tasks.answer_format: text) letters stay balanced but option texts do not: the
spread is taken over the predicted option texts, and the prior is the answer-text prior given
the options shown.
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


def answer_tokens(rows: list[dict], tokenizer) -> list[tuple[float, int]]:
    """(prior nats, trained tokens) per training row with options. The tokens are the reply, its
    end-of-turn token and the newline after it, as LLaMA-Factory's qwen2_vl template labels them.
    A letter reply costs ln(options) under the uniform letter prior. A text reply costs
    -ln p(text), p being the text's share among the options shown of how often each was the
    reply in these rows: the blind answer prior, not fitted to each option set."""
    from fragmentforge.evaluate.model_io import option_texts, user_turn

    parsed = []
    for row in rows:
        options = option_texts(user_turn(row))
        reply = next((m["content"] for m in row["messages"] if m["role"] == "assistant"), None)
        if options and reply is not None:
            parsed.append((options, reply))
    replies = Counter(reply for options, reply in parsed if reply not in options)
    out = []
    for options, reply in parsed:
        if reply in options:
            nats = math.log(len(options))
        else:
            nats = -math.log(replies[reply] / sum(replies[text] for text in options.values()))
        out.append((nats, len(tokenizer.encode(reply + "<|im_end|>\n", add_special_tokens=False))))
    return out


def prior_loss(dataset_files: list[Path], tokenizer) -> float | None:
    """The mean loss per trained token of a model that knows the answer prior and nothing from the
    frames, and is certain of every other trained token: the plateau of a collapsed run."""
    nats = tokens = 0.0
    for path in dataset_files:
        for row_nats, count in answer_tokens(json.loads(Path(path).read_text()), tokenizer):
            nats += row_nats
            tokens += count
    return nats / tokens if tokens else None


def training_at_prior(final_loss: float | None, prior: float | None, margin: float = PRIOR_LOSS_MARGIN) -> bool:
    return final_loss is not None and prior is not None and final_loss >= prior * (1 - margin)
