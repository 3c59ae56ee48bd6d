"""Generation: greedy decoding (then the answer parser), or seeded sampling (preference pairs)."""
from __future__ import annotations

from pathlib import Path

from fragmentforge.evaluate.model_io import LoadedModel, prefetched_batches


def generate_rows(loaded: LoadedModel, rows: list[dict], media_dir: Path, batch_size: int = 8,
                  max_new_tokens: int = 16, sampling: tuple[float, float, int] | None = None) -> list[str]:
    """Greedy replies, or sampled ones with `sampling` = (temperature, top_p, seed): the seed is
    set before each batch, so the same rows in the same batches sample the same replies."""
    import torch

    tokenizer = loaded.processor.tokenizer
    generated = []
    for number, (_, inputs) in enumerate(prefetched_batches(loaded, rows, media_dir, batch_size)):
        options = {"do_sample": False}
        if sampling is not None:
            torch.manual_seed(sampling[2] + number)
            options = {"do_sample": True, "temperature": sampling[0], "top_p": sampling[1], "top_k": 0}
        with torch.no_grad():
            out = loaded.model.generate(**inputs, max_new_tokens=max_new_tokens, pad_token_id=tokenizer.pad_token_id,
                                        **options)
        generated.append(out[:, inputs["input_ids"].shape[1]:])
    # Decoded after the loop: the helper thread uses the tokenizer while batches are prepared.
    return [reply for new in generated for reply in tokenizer.batch_decode(new, skip_special_tokens=True)]
