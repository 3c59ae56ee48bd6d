"""Tiny twins built from a config, with no downloads: the embedded default base model (a tiny
Qwen2-VL) and every model family's twin (models/families/<family>.py defines its `tiny`).

They share a byte-level BPE tokenizer, an M-RoPE language model config (`text_config`) and
Qwen's chat turns; a family adds its own media tokens and processor. Everything is seeded, so the saved folder is bit-for-bit the same on every machine: the
byte-level BPE tokenizer is trained here on a small corpus with Qwen's special tokens
first, the weights are drawn from a seeded generator, and the processor (image + video)
and the chat template are assembled locally.
"""
from __future__ import annotations

import json
from pathlib import Path

from fragmentforge.config.schema import TinyModelParams

# Qwen2-VL's special tokens, in Qwen's order; they take ids 0..13 here.
SPECIAL_TOKENS = (
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>",
    "<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>",
    "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>",
)
CORPUS = Path(__file__).with_name("corpus.txt")
DATA_DEPS = ("stages/fragmentforge/models/corpus.txt",)  # for the import graph (fragmentforge.lineage)
DEFAULT_SYSTEM = "You are a helpful assistant."

# Renders exactly what LLaMA-Factory's `qwen2_vl` template trains on, so evaluation through
# the processor sees the same token sequence as training did.
SYSTEM_TURN = "{% if messages[0]['role'] != 'system' %}<|im_start|>system\n" + DEFAULT_SYSTEM + "<|im_end|>\n{% endif %}"
TURNS = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif part['type'] == 'video' %}<|vision_start|><|video_pad|><|vision_end|>"
    "{% else %}{{ part['text'] }}{% endif %}{% endfor %}{% endif %}"
    "<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
CHAT_TEMPLATE = SYSTEM_TURN + TURNS  # a family whose template has no default system prompt uses TURNS


def mrope_section(spec: TinyModelParams) -> list[int]:
    """Split of the rotary half-dimension over (time, height, width), as Qwen2-VL does."""
    half = spec.hidden_size // spec.heads // 2
    time = half // 4 or 1
    height = (half - time) // 2
    return [time, height, half - time - height]


def train_tokenizer(spec: TinyModelParams, named_tokens: dict[str, str] | None = None):
    """Byte-level BPE with Qwen's special tokens first (ids 0..13), then a family's own media
    tokens (`named_tokens`, e.g. {"image_token": "<image>"}), which the tokenizer also names."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import Qwen2Tokenizer
    from transformers.models.qwen2.tokenization_qwen2 import PRETOKENIZE_REGEX

    bpe = Tokenizer(models.BPE())
    bpe.normalizer = normalizers.NFC()
    bpe.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(PRETOKENIZE_REGEX), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    bpe.decoder = decoders.ByteLevel()
    named_tokens = dict(named_tokens or {})
    special = [*SPECIAL_TOKENS, *named_tokens.values()]
    trainer = trainers.BpeTrainer(vocab_size=spec.vocab_size, special_tokens=special,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    bpe.train_from_iterator(CORPUS.read_text().splitlines(), trainer=trainer)
    vocab = bpe.get_vocab()
    merges = [tuple(m.split(" ", 1)) if isinstance(m, str) else tuple(m)
              for m in json.loads(bpe.to_str())["model"]["merges"]]
    tokenizer = Qwen2Tokenizer(vocab=vocab, merges=merges, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                               unk_token=None, extra_special_tokens=special[1:],
                               **({"model_specific_special_tokens": named_tokens} if named_tokens else {}))
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.model_max_length = 4096
    return tokenizer


def build_processor(tokenizer, spec: TinyModelParams, processor_class=None, chat_template: str = CHAT_TEMPLATE):
    from transformers import Qwen2VLImageProcessor, Qwen2VLProcessor, Qwen2VLVideoProcessor

    pixels = {"min_pixels": spec.image_min_pixels, "max_pixels": spec.image_max_pixels}
    patches = {"patch_size": spec.patch_size, "merge_size": spec.merge_size}
    image = Qwen2VLImageProcessor(**pixels, **patches)
    video = Qwen2VLVideoProcessor(size={"shortest_edge": spec.image_min_pixels,
                                        "longest_edge": spec.image_max_pixels}, **patches)
    return (processor_class or Qwen2VLProcessor)(image_processor=image, tokenizer=tokenizer, video_processor=video,
                                                 chat_template=chat_template)


def special_ids(tokenizer) -> dict[str, int]:
    return {tok: tokenizer.convert_tokens_to_ids(tok) for tok in SPECIAL_TOKENS}


def text_config(tokenizer, spec: TinyModelParams) -> dict:
    """The M-RoPE language model every Qwen-VL family's tiny twin shares."""
    ids = special_ids(tokenizer)
    return dict(vocab_size=len(tokenizer), hidden_size=spec.hidden_size, intermediate_size=spec.intermediate_size,
                num_hidden_layers=spec.layers, num_attention_heads=spec.heads, num_key_value_heads=spec.kv_heads,
                max_position_embeddings=4096, max_window_layers=spec.layers, tie_word_embeddings=False,
                rope_parameters={"rope_type": "default", "rope_theta": spec.rope_theta,
                                 "mrope_section": mrope_section(spec)},
                bos_token_id=None, eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"])


def media_token_ids(tokenizer) -> dict[str, int]:
    ids = special_ids(tokenizer)
    return {"image_token_id": ids["<|image_pad|>"], "video_token_id": ids["<|video_pad|>"],
            "vision_start_token_id": ids["<|vision_start|>"], "vision_end_token_id": ids["<|vision_end|>"]}


BUILD_RECORD = "fragmentforge_build.json"


def build_twin(spec: TinyModelParams, out: Path, family: str = "qwen2_vl") -> Path:
    """Write the model folder (config, safetensors, tokenizer, processor) to `out`: the tiny twin
    of `family`, a module in fragmentforge/models/families whose `tiny(tokenizer, spec)` gives
    (config, model class, processor) and whose optional TWIN_TOKENS names its media tokens."""
    import torch
    from transformers import GenerationConfig

    from fragmentforge import plugins
    from fragmentforge.models import families

    module = plugins.load(families, family)
    spec = getattr(module, "twin_spec", lambda s: s)(spec)  # e.g. the family's own patch size
    tokenizer = train_tokenizer(spec, getattr(module, "TWIN_TOKENS", None))
    config, model_class, processor = module.tiny(tokenizer, spec)
    torch.manual_seed(spec.seed)
    model = model_class(config).eval()
    generator = torch.Generator().manual_seed(spec.seed + 1)
    with torch.no_grad():
        head = model.lm_head.weight
        head.copy_(torch.randn(head.shape, generator=generator) * spec.lm_head_init_std)
    ids = special_ids(tokenizer)
    model.generation_config = GenerationConfig(eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"],
                                               do_sample=False)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    processor.save_pretrained(out)
    (out / BUILD_RECORD).write_text(json.dumps(build_record(spec), indent=1, sort_keys=True) + "\n")
    return out


def build_record(spec: TinyModelParams) -> dict:
    """What the folder was built from; a folder whose record matches is not rebuilt."""
    from dataclasses import asdict

    import torch
    import transformers

    record = {"spec": asdict(spec), "torch": torch.__version__.split("+")[0], "transformers": transformers.__version__}
    if spec.pretrain.enabled:
        from importlib.metadata import version

        from fragmentforge import lineage
        from fragmentforge.layout import PROJECT_ROOT

        # The pool renderer, its questions and the recipe: a change there makes another base.
        record["pretrain_code"] = lineage.code_digest(PROJECT_ROOT, "fragmentforge.models.pretrain")
        record["llamafactory"] = version("llamafactory")
    return json.loads(json.dumps(record))  # as stored: tuples become lists, so a reread record compares equal
