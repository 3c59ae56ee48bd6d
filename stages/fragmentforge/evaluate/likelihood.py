"""Likelihood scoring: the option whose letter the model scores highest right after the prompt."""
from __future__ import annotations

from pathlib import Path

from fragmentforge.evaluate.model_io import LoadedModel, option_letters, prefetched_batches, user_turn


def score_rows(loaded: LoadedModel, rows: list[dict], media_dir: Path, batch_size: int = 8) -> list[dict]:
    """For each sharegpt row: the log-probability of each option letter and the argmax letter."""
    import torch

    tokenizer = loaded.processor.tokenizer
    # Token ids first: the tokenizer must not be used here while the helper thread prepares a batch.
    letter_ids: dict[str, int] = {}
    for letter in sorted({letter for row in rows for letter in option_letters(user_turn(row))}):
        ids = tokenizer.encode(letter, add_special_tokens=False)
        if len(ids) != 1:
            raise ValueError(f"option letter {letter!r} is {len(ids)} tokens for this tokenizer")
        letter_ids[letter] = ids[0]
    out = []
    for batch, inputs in prefetched_batches(loaded, rows, media_dir, batch_size):
        with torch.no_grad():
            logits = loaded.model(**inputs).logits[:, -1, :].float()
        log_probs = torch.log_softmax(logits, dim=-1).cpu()
        for row, row_lp in zip(batch, log_probs):
            letters = option_letters(user_turn(row))
            scores = {letter: float(row_lp[letter_ids[letter]]) for letter in letters}
            out.append({"scores": scores, "prediction": max(scores, key=scores.get) if scores else None})
    return out


def reply_is(row: dict, letter: str | None) -> bool:
    """Whether the predicted letter is the row's trained reply: the letter itself, or its option's text."""
    from fragmentforge.evaluate.model_io import option_texts

    reply = next(m["content"] for m in row["messages"] if m["role"] == "assistant").strip()
    return letter is not None and (letter == reply or option_texts(user_turn(row)).get(letter) == reply)


def score_by_reply(loaded: LoadedModel, rows: list[dict], media_dir: Path, batch_size: int = 8) -> list[dict]:
    """Rows whose reply is a letter are scored by the letter, the others by their option texts (sum)."""
    is_letter = [r["messages"][-1]["content"].strip() in option_letters(user_turn(r)) for r in rows]
    lettered = [i for i, flag in enumerate(is_letter) if flag]
    texts = [i for i, flag in enumerate(is_letter) if not flag]
    out: list = [None] * len(rows)
    for indices, scorer in ((lettered, score_rows), (texts, lambda *a: score_rows_by_text(*a, reduce="sum"))):
        if indices:
            for i, s in zip(indices, scorer(loaded, [rows[i] for i in indices], media_dir, batch_size)):
                out[i] = s
    return out


def accuracy(rows: list[dict], scored: list[dict]) -> float:
    return sum(reply_is(r, s["prediction"]) for r, s in zip(rows, scored)) / max(len(rows), 1)


def score_rows_by_text(loaded: LoadedModel, rows: list[dict], media_dir: Path, batch_size: int = 8,
                       reduce: str = "mean") -> list[dict]:
    """For each row: the log-probability of each option's text as the reply; the prediction is
    the best option's letter. `sum` is the reply's own probability, right for a model trained to
    reply with the text; `mean` (per token) keeps long options from being penalised for their
    length when the model was not. Each option is a separate sequence (k times the cost)."""
    import torch

    from fragmentforge.evaluate.model_io import batch_inputs, option_texts

    tokenizer = loaded.processor.tokenizer
    expanded = []  # (row index, letter, option text, token count)
    for i, row in enumerate(rows):
        for letter, text in option_texts(user_turn(row)).items():
            expanded.append((i, letter, text, len(tokenizer.encode(text, add_special_tokens=False))))
    scores: list[dict] = [{} for _ in rows]
    for start in range(0, len(expanded), batch_size):
        chunk = expanded[start:start + batch_size]
        inputs = batch_inputs(loaded, [rows[i] for i, *_ in chunk], media_dir, replies=[t for _, _, t, _ in chunk])
        with torch.no_grad():
            log_probs = torch.log_softmax(loaded.model(**inputs).logits.float(), dim=-1)
        ids = inputs["input_ids"]
        for j, (i, letter, _, count) in enumerate(chunk):
            # Left padding: the option's tokens are the last `count`, each predicted one position earlier.
            targets = ids[j, -count:]
            picked = log_probs[j, -count - 1:-1, :].gather(1, targets.unsqueeze(1)).squeeze(1)
            scores[i][letter] = float(picked.sum() if reduce == "sum" else picked.mean())
    return [{"scores": s, "prediction": max(s, key=s.get) if s else None} for s in scores]
