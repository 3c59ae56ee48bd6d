"""Likelihood scoring: the option whose letter the model scores highest right after the prompt,
or, for a row whose trained reply is the option's text, the option whose text it scores highest."""
from __future__ import annotations

from pathlib import Path

from fragmentforge.evaluate.model_io import LoadedModel, option_letters, prefetched_batches, user_turn


def score_rows(loaded: LoadedModel, rows: list[dict], media_dir: Path, batch_size: int = 8) -> list[dict]:
    """For each sharegpt row: the log-probability of each option letter and the argmax letter."""
    import torch

    tokenizer = loaded.processor.tokenizer
    # Token ids first: the tokenizer must not be used here while the helper thread prepares a batch.
    encoded = {letter: tokenizer.encode(letter, add_special_tokens=False)
               for letter in sorted({letter for row in rows for letter in option_letters(user_turn(row))})}
    if any(len(ids) != 1 for ids in encoded.values()):  # a letter of several tokens: score each as a reply
        return score_rows_by_text(loaded, rows, media_dir, batch_size, reduce="sum", reply="letter")
    letter_ids = {letter: ids[0] for letter, ids in encoded.items()}
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


def score_by_reply(loaded: LoadedModel, rows: list[dict], media_dir: Path, batch_size: int = 8,
                   letter_scorer=score_rows) -> list[dict]:
    """Each row scored in the form it was trained in: rows whose reply is a letter by
    `letter_scorer`, rows whose reply is an option's text by that text's probability (sum)."""
    def by_text(*args):
        return score_rows_by_text(*args, reduce="sum")

    is_letter = [r["messages"][-1]["content"].strip() in option_letters(user_turn(r)) for r in rows]
    out: list = [None] * len(rows)
    for wanted, scorer in ((True, letter_scorer), (False, by_text)):
        indices = [i for i, flag in enumerate(is_letter) if flag is wanted]
        if indices:
            for i, s in zip(indices, scorer(loaded, [rows[i] for i in indices], media_dir, batch_size)):
                out[i] = s
    return out


def accuracy(rows: list[dict], scored: list[dict]) -> float:
    return sum(reply_is(r, s["prediction"]) for r, s in zip(rows, scored)) / max(len(rows), 1)


def score_rows_by_text(loaded: LoadedModel, rows: list[dict], media_dir: Path, batch_size: int = 8,
                       reduce: str = "mean", reply: str = "text") -> list[dict]:
    """For each row: the log-probability of each option's text (or, with reply="letter", its
    letter) as the reply, over all of its tokens; the prediction is the best option's letter.
    `sum` is the reply's own probability, right for a model trained to reply with it; `mean`
    (per token) keeps long options from being penalised for their length when the model was
    not. Each option is its own sequence, about `batch_size` of them a forward pass; a
    question's frames are prepared and encoded once for all its options."""
    import torch

    from fragmentforge.evaluate.model_io import option_texts, reply_ids

    tokenizer = loaded.processor.tokenizer
    options = [[(letter, letter if reply == "letter" else text) for letter, text in option_texts(user_turn(row)).items()]
               for row in rows]
    scores: list[dict] = [{} for _ in rows]
    if prompt_cache_applies(loaded, rows):
        per_pass = batch_size  # prompts per pass; their options follow in one more pass
        for start in range(0, len(rows), per_pass):
            chunk = list(range(start, min(start + per_pass, len(rows))))
            found = scores_after_prompt(loaded, [rows[i] for i in chunk], media_dir, [options[i] for i in chunk])
            for i, per_option in zip(chunk, found):
                scores[i] = {letter: float(sum(lps) if reduce == "sum" else sum(lps) / len(lps))
                             for letter, lps in per_option.items()}
        return [{"scores": s, "prediction": max(s, key=s.get) if s else None} for s in scores]
    per_pass = max(1, batch_size // max((len(o) for o in options), default=1))
    for start in range(0, len(rows), per_pass):
        chunk = list(range(start, min(start + per_pass, len(rows))))
        sequences = [(i, letter, text) for i in chunk for letter, text in options[i]]
        if not sequences:
            continue
        with torch.no_grad():
            ids, inputs = option_inputs(loaded, [rows[i] for i in chunk], media_dir,
                                        [(chunk.index(i), text) for i, _, text in sequences])
            log_probs = torch.log_softmax(loaded.model(**inputs).logits.float(), dim=-1)
        for j, (i, letter, text) in enumerate(sequences):
            # Left padding: the option's tokens are the last `count`, each predicted one position earlier.
            count = len(reply_ids(tokenizer, text))
            targets = ids[j, -count:]
            picked = log_probs[j, -count - 1:-1, :].gather(1, targets.unsqueeze(1)).squeeze(1)
            scores[i][letter] = float(picked.sum() if reduce == "sum" else picked.mean())
    return [{"scores": s, "prediction": max(s, key=s.get) if s else None} for s in scores]


def prompt_cache_applies(loaded: LoadedModel, rows: list[dict]) -> bool:
    """Whether options can be scored as continuations of one pass over each prompt (image rows of a
    family whose visual features and M-RoPE positions option_inputs builds itself)."""
    return getattr(loaded.family, "SHARED_VISION_SCORING", False) and not any(r.get("videos") for r in rows)


def scores_after_prompt(loaded: LoadedModel, rows: list[dict], media_dir: Path, options: list[list]) -> list[dict]:
    """Per row, {letter: [log-prob of each of the option's tokens]}: the prompts run once (left
    padded, their key/value cache kept), then every option of every row runs as a continuation
    of its own prompt's cache in one more pass. The first token is scored from the prompt's last
    position. Text after the images takes M-RoPE positions one past the prompt's largest, in all
    three sections, as the model gives them."""
    import torch

    from fragmentforge.evaluate.model_io import reply_ids

    tokenizer, model = loaded.processor.tokenizer, loaded.model
    _, inputs = option_inputs(loaded, rows, media_dir, [(r, "") for r in range(len(rows))])
    with torch.no_grad():
        first = model(**inputs, use_cache=True)
    prompt_lp = torch.log_softmax(first.logits[:, -1, :].float(), dim=-1)
    sequences = [(r, letter, reply_ids(tokenizer, text)) for r, row_options in enumerate(options)
                 for letter, text in row_options]
    out: list[dict] = [{} for _ in rows]
    longest = max((len(t) for _, _, t in sequences), default=0)
    if longest > 1:
        index = torch.tensor([r for r, _, _ in sequences], device=model.device)
        cache = first.past_key_values
        cache.reorder_cache(index)
        width = longest - 1  # the last token is only ever predicted, never fed
        pad = tokenizer.pad_token_id
        fed = torch.tensor([t[:-1] + [pad] * (width - len(t) + 1) for _, _, t in sequences], device=model.device)
        fed_mask = torch.tensor([[1] * (len(t) - 1) + [0] * (width - len(t) + 1) for _, _, t in sequences],
                                device=model.device)
        mask = torch.cat([inputs["attention_mask"][index], fed_mask], dim=1)
        start = inputs["position_ids"][..., -1].max(dim=0).values[index] + 1 if inputs["position_ids"].dim() == 3 \
            else inputs["position_ids"][:, -1][index] + 1
        steps = start.unsqueeze(-1) + torch.arange(width, device=model.device)
        positions = steps.unsqueeze(0).expand(inputs["position_ids"].shape[0], -1, -1) \
            if inputs["position_ids"].dim() == 3 else steps
        with torch.no_grad():
            later = model(input_ids=fed, attention_mask=mask, position_ids=positions, past_key_values=cache)
        later_lp = torch.log_softmax(later.logits.float(), dim=-1)
    for j, (r, letter, tokens) in enumerate(sequences):
        lps = [float(prompt_lp[r, tokens[0]])]
        lps += [float(later_lp[j, k - 1, tokens[k]]) for k in range(1, len(tokens))]
        out[r][letter] = lps
    return out


def option_inputs(loaded: LoadedModel, rows: list[dict], media_dir: Path, sequences: list[tuple[int, str]]):
    """(token ids, model inputs) for (row index, reply) sequences, left-padded. For a family with
    SHARED_VISION_SCORING (Qwen2-VL's features and M-RoPE), the rows' frames run through the
    processor and the vision tower once per run (image_features caches them): the sequences get the visual embeddings as
    `inputs_embeds` and their M-RoPE positions computed as the model itself would."""
    import torch

    from fragmentforge.evaluate.model_io import append_replies, batch_inputs, reply_ids, to_chat

    processor, model = loaded.processor, loaded.model
    # Video rows, and families whose vision features this shortcut does not know how to reuse
    # (DeepStack, tiles, pooled frames): the plain path, the frames run once per sequence.
    if any(row.get("videos") for row in rows) or not getattr(loaded.family, "SHARED_VISION_SCORING", False):
        inputs = batch_inputs(loaded, [rows[r] for r, _ in sequences], media_dir, replies=[t for _, t in sequences])
        return inputs["input_ids"], inputs
    prompts = [processor.apply_chat_template(to_chat(user_turn(row)), add_generation_prompt=True, tokenize=False)
               for row in rows]
    paths = [list(row.get("images") or ()) for row in rows]
    encoded_images = image_features(loaded, [p for row_paths in paths for p in row_paths], media_dir)
    merge = processor.image_processor.merge_size ** 2
    expanded = []
    for r, prompt in enumerate(prompts):  # one image token per visual embedding, as the processor does
        for path in paths[r]:
            count = int(encoded_images[path][0].prod()) // merge
            prompt = prompt.replace(processor.image_token, "<|placeholder|>" * count, 1)
        expanded.append(prompt.replace("<|placeholder|>", processor.image_token))
    prompt_ids = [processor.tokenizer.encode(p, add_special_tokens=False) for p in expanded]
    encoded = append_replies({"input_ids": torch.zeros((len(sequences), 0), dtype=torch.long),
                              "attention_mask": torch.zeros((len(sequences), 0), dtype=torch.long)},
                             [prompt_ids[r] + reply_ids(processor.tokenizer, reply) for r, reply in sequences],
                             processor.tokenizer.pad_token_id)
    input_ids, mask = encoded["input_ids"].to(model.device), encoded["attention_mask"].to(model.device)
    embeds = model.get_input_embeddings()(input_ids)
    grid = None
    shown = [encoded_images[p] for r, _ in sequences for p in paths[r]]
    if shown:
        image_mask = (input_ids == model.config.image_token_id).unsqueeze(-1).expand_as(embeds)
        embeds = embeds.masked_scatter(image_mask, torch.cat([f for _, f in shown]).to(embeds.dtype))
        grid = torch.stack([g for g, _ in shown]).to(model.device)
    token_types = processor.create_mm_token_type_ids(input_ids.tolist())
    positions = model.model.compute_3d_position_ids(
        input_ids=input_ids, inputs_embeds=embeds, image_grid_thw=grid, attention_mask=mask,
        mm_token_type_ids=torch.tensor(token_types, device=model.device) if grid is not None else None)
    return input_ids, {"inputs_embeds": embeds, "attention_mask": mask, "position_ids": positions}



VISION_CACHE_BYTES = 512 * 2 ** 20  # the visual embeddings kept for reuse, oldest dropped first


def image_features(loaded: LoadedModel, paths: list[str], media_dir: Path) -> dict:
    """path -> (grid, visual embeddings) for each image, through the processor and the vision
    tower once per run: the ones not cached yet are encoded together."""
    from fragmentforge.evaluate.model_io import row_images

    cache, processor, model = loaded.vision_cache, loaded.processor, loaded.model
    missing = list(dict.fromkeys(p for p in paths if p not in cache))
    if missing:
        images = row_images(loaded, {"images": missing}, media_dir)
        vision = processor.image_processor(images=images, return_tensors="pt")
        grids = vision["image_grid_thw"]
        features = model.model.get_image_features(vision["pixel_values"].to(model.device), grids.to(model.device))
        cache.update(zip(missing, zip(grids, features.pooler_output)))
    for path in paths:  # the ones in use now are the newest: eviction takes older ones first
        cache.move_to_end(path)
    total = sum(f.numel() * f.element_size() for _, f in cache.values())
    while total > VISION_CACHE_BYTES and len(cache) > len(set(paths)):
        _, (_, dropped) = cache.popitem(last=False)
        total -= dropped.numel() * dropped.element_size()
    return {p: cache[p] for p in paths}
