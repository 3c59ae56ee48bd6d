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


def accuracy(rows: list[dict], scored: list[dict]) -> float:
    answers = [next(m["content"] for m in r["messages"] if m["role"] == "assistant").strip() for r in rows]
    return sum(a == s["prediction"] for a, s in zip(answers, scored)) / max(len(rows), 1)


def score_rows_by_text(loaded: LoadedModel, rows: list[dict], media_dir: Path, batch_size: int = 8) -> list[dict]:
    """For each row: the mean log-probability per token of each option's text as the reply;
    the prediction is the best option's letter. Mean, not sum, so long options are not
    penalised for their length. Each option is a separate sequence (k times the cost)."""
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
            scores[i][letter] = float(picked.mean())
    return [{"scores": s, "prediction": max(s, key=s.get) if s else None} for s in scores]
