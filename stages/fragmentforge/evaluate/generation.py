"""Generation scoring: greedy decoding, then the answer parser."""
from __future__ import annotations

from pathlib import Path

from fragmentforge.evaluate.model_io import LoadedModel, prefetched_batches


def generate_rows(loaded: LoadedModel, rows: list[dict], media_dir: Path, batch_size: int = 8,
                  max_new_tokens: int = 16) -> list[str]:
    import torch

    tokenizer = loaded.processor.tokenizer
    generated = []
    for _, inputs in prefetched_batches(loaded, rows, media_dir, batch_size):
        with torch.no_grad():
            out = loaded.model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False,
                                        pad_token_id=tokenizer.pad_token_id)
        generated.append(out[:, inputs["input_ids"].shape[1]:])
    # Decoded after the loop: the helper thread uses the tokenizer while batches are prepared.
    return [reply for new in generated for reply in tokenizer.batch_decode(new, skip_special_tokens=True)]
