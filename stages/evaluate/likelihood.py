"""Likelihood scoring: the option whose letter the model scores highest right after the prompt."""
from __future__ import annotations

from pathlib import Path

from PIL import Image

from stages.evaluate.model_io import LoadedModel, option_letters, to_chat, user_turn


def open_rgb(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return image.convert("RGB")


def score_rows(loaded: LoadedModel, rows: list[dict], media_dir: Path, batch_size: int = 8) -> list[dict]:
    """For each sharegpt row: the log-probability of each option letter and the argmax letter."""
    import torch

    processor, model = loaded.processor, loaded.model
    letter_ids = {}
    out = []
    for start in range(0, len(rows), batch_size):
        batch = rows[start:start + batch_size]
        texts, images = [], []
        for row in batch:
            question = user_turn(row)
            texts.append(processor.apply_chat_template(to_chat(question), add_generation_prompt=True, tokenize=False))
            images.extend(open_rgb(media_dir / p) for p in row.get("images") or ())
        inputs = processor(text=texts, images=images or None, return_tensors="pt", padding=True).to(loaded.device)
        with torch.no_grad():
            logits = model(**inputs).logits[:, -1, :].float()
        log_probs = torch.log_softmax(logits, dim=-1).cpu()
        for row, row_lp in zip(batch, log_probs):
            letters = option_letters(user_turn(row))
            for letter in letters:
                if letter not in letter_ids:
                    ids = processor.tokenizer.encode(letter, add_special_tokens=False)
                    letter_ids[letter] = ids[0]
            scores = {letter: float(row_lp[letter_ids[letter]]) for letter in letters}
            out.append({"scores": scores, "prediction": max(scores, key=scores.get) if scores else None})
    return out


def accuracy(rows: list[dict], scored: list[dict]) -> float:
    answers = [next(m["content"] for m in r["messages"] if m["role"] == "assistant").strip() for r in rows]
    return sum(a == s["prediction"] for a, s in zip(answers, scored)) / max(len(rows), 1)
