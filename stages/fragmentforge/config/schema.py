"""The shape of params.yaml: one frozen dataclass per section.

A field's `check` metadata is (predicate, requirement); `problems()` covers rules that
span fields. Paths are relative to the project root.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal, Optional

from fragmentforge.config.loader import PluginOptions, plugin_options, rest_field


def check(predicate, requirement):
    return field(metadata={"check": (predicate, requirement)})


def check_default(default, predicate, requirement):
    return field(default=default, metadata={"check": (predicate, requirement)})


def _even_between(lo: int, hi: int):
    return (lambda v: lo <= v <= hi and v % 2 == 0), f"must be an even number in [{lo}, {hi}]"


@dataclass(frozen=True)
class PathsParams:
    synthetic_dir: str
    raw_dir: str
    frames_dir: str
    tasks_dir: str
    validation_dir: str
    exports_dir: str
    results_db: str
    adapters_dir: str = "data/adapters"
    train_work_dir: str = "data/train_work"  # checkpoints of unfinished runs, outside DVC's outputs
    model_cache_dir: str = "data/model_cache"  # local copies of s3 models, registry hash cache
    eval_dir: str = "data/eval"
    eval_cache_dir: str = "data/eval_cache"  # frames sampled from external benchmarks' videos
    reports_dir: str = "data/reports"
    metrics_dir: str = "data/metrics"  # what `dvc metrics` and `dvc plots` read, per base model
    motion_dir: str = "data/motion"  # per-body-part motion descriptors
    teacher_dir: str = "data/teacher"  # what teachers labelled, and their reply cache
    judge_dir: str = "data/judge"  # the judge's verdicts on MA-Bench's questions: reply cache, counts
    review_db: str = "data/review/queue.duckdb"  # MA-Bench's human review decisions (microactions/review.py)
    ablations_dir: str = "data/ablations"  # what `make ablations` collected from its experiments


@dataclass(frozen=True)
class PeopleWorldParams:
    """The people world (synthetic/people): clips written with AVA-format labels and COCO keypoints
    under <synthetic_dir>/people; 0 clips writes nothing."""

    num_clips: int = check_default(0, lambda v: 0 <= v <= 100_000, "must be in [0, 100000]")
    keyframes_per_second: int = check_default(2, lambda v: 1 <= v <= 4, "must be in [1, 4] (AVA: 1)")


@dataclass(frozen=True)
class SyntheticParams:
    seed: int = check(lambda v: v >= 0, "must be >= 0")
    num_clips: int = check(lambda v: 1 <= v <= 100_000, "must be in [1, 100000]")
    width: int = check(*_even_between(32, 1920))
    height: int = check(*_even_between(32, 1080))
    fps: int = check(lambda v: 1 <= v <= 60, "must be in [1, 60]")
    min_seconds: float = check(lambda v: v > 0, "must be > 0")
    max_seconds: float = check(lambda v: v <= 60, "must be <= 60")
    crf: int = check(lambda v: 0 <= v <= 51, "must be in [0, 51] (x264 quality scale)")
    actions: Optional[tuple[str, ...]] = None
    people: PeopleWorldParams = field(default_factory=PeopleWorldParams)

    def problems(self):
        if self.max_seconds < self.min_seconds:
            yield "max_seconds", f"must be >= min_seconds ({self.min_seconds})"
        if self.min_seconds * self.fps < 8:
            yield "min_seconds", "clips need at least 8 frames (min_seconds * fps >= 8)"
        if self.actions is not None:
            from fragmentforge.synthetic.actions import ACTIONS

            for name in self.actions:
                if name not in ACTIONS:
                    yield "actions", f"unknown action {name!r} (known: {', '.join(sorted(ACTIONS))})"


@dataclass(frozen=True)
class SourceSpec:
    """One entry of ingest.sources: its name, its kind (a module in fragmentforge/sources) and
    the kind's own options, which that module types and checks when the source is read."""

    name: str
    kind: str
    descriptions: Optional[str] = None  # a manifest of reference descriptions of its videos (descriptions/manifest.py)
    options: PluginOptions = rest_field()

    @classmethod
    def of(cls, name: str, kind: str, **options) -> "SourceSpec":
        """A source built in code (tests, notebooks) rather than read from params.yaml."""
        descriptions = options.pop("descriptions", None)
        return cls(name, kind, descriptions, plugin_options(options, "<code>", f"source {name!r}"))


@dataclass(frozen=True)
class IngestParams:
    sources: tuple[SourceSpec, ...]
    test_ratio: float = check(lambda v: 0.0 < v < 1.0, "must be strictly between 0 and 1")
    split_salt: str = "fragmentforge"
    probe_time_limit_s: float = check_default(120.0, lambda v: v > 0, "must be > 0")
    workers: int = check_default(2, lambda v: 1 <= v <= 256, "must be in [1, 256]")
    progress: bool = True

    def problems(self):
        if not self.sources:
            yield "sources", "name at least one source"
        from fragmentforge.plugins import names as plugin_names

        known = plugin_names("fragmentforge.sources")
        for s in self.sources:
            if s.kind not in known:
                yield "sources", f"{s.name}: unknown kind {s.kind!r} (known: {', '.join(known)})"
        names = [s.name for s in self.sources]
        for name in names:
            if names.count(name) > 1:
                yield "sources", f"source name {name!r} is used twice"
                return


def _keyframe_samplers() -> list[str]:
    from fragmentforge.plugins import names

    return names("fragmentforge.keyframes.samplers")


@dataclass(frozen=True)
class KeyframeParams:
    """Motion-guided keyframe sets (MGSampler) over each speed variant."""

    set_sizes: tuple[int, ...] = check(lambda v: len(v) > 0 and all(2 <= n <= 16 for n in v),
                                       "must list set sizes between 2 and 16")
    train_sets_per_size: int = check(lambda v: 0 <= v <= 64, "must be in [0, 64]")
    score_mode: Literal["fast", "faithful"] = "fast"
    # Backend tried first for the sequential pass (the other is the fallback). PyAV by
    # default: decord's decode-and-scale measured about 1.4x ffmpeg's decode, PyAV's 1.1x.
    decoder: Literal["pyav", "decord"] = "pyav"
    fast_score_width: int = check_default(64, lambda v: 8 <= v <= 1024, "must be in [8, 1024]")
    frame_short_side: int = check_default(128, lambda v: 16 <= v <= 2160, "must be in [16, 2160]")
    # Downscaling filter for stored frames. `area` (each pixel the mean of the source pixels
    # it covers) is anti-aliased, closer to a Lanczos reference on real video than swscale's
    # `bilinear` (a tent twice as wide: blurrier) and about half its cost. PyAV path only:
    # decord scales with its own filter.
    frame_scaler: Literal["area", "bilinear", "bicubic"] = "area"
    jpeg_quality: int = check_default(90, lambda v: 1 <= v <= 100, "must be in [1, 100]")
    slow_interpolation: Literal["blend", "flow"] = "blend"
    window_stride: int = check_default(2, lambda v: 1 <= v <= 64, "must be in [1, 64]")
    # Which sampler draws the jittered train-mode sets (a module of keyframes/samplers; SF²T
    # Table 6). The test-mode sets are always MGSampler's.
    train_sampler: str = check_default(
        "motion", lambda v: v in _keyframe_samplers(),
        "must name a module of stages/fragmentforge/keyframes/samplers")
    # Around each labelled keyframe second (AVA ground truth): this many frames of the normal
    # stream, `label_window_stride` apart, centred on the keyframe (FineBench's windowed mode).
    label_window: int = check_default(5, lambda v: 1 <= v <= 32 and v % 2 == 1, "must be odd, in [1, 31]")
    label_window_stride: int = check_default(2, lambda v: 1 <= v <= 64, "must be in [1, 64]")
    # AVA-labelled videos also get one `clip` set: every this-many-th frame of the normal stream,
    # which MA-Bench's questions sample from (0: none)
    labelled_clip_stride: int = check_default(1, lambda v: 0 <= v <= 64, "must be in [0, 64]")
    described_clip_frames: int = check_default(32, lambda v: v >= 0, "must be >= 0")
    seed: int = check_default(0, lambda v: v >= 0, "must be >= 0")
    time_limit_s: float = check_default(300.0, lambda v: v > 0, "must be > 0")
    workers: int = check_default(2, lambda v: 1 <= v <= 256, "must be in [1, 256]")

    def problems(self):
        if len(set(self.set_sizes)) != len(self.set_sizes):
            yield "set_sizes", "lists a size twice"


@dataclass(frozen=True)
class MaBenchParams:
    """MA-Bench's questions (microactions/): what they show, and which of them enter the benchmark."""

    frames: int = check_default(4, lambda v: v in (2, 4, 8, 16), "must be 2, 4, 8 or 16")  # Table 3: 4/8/16
    min_span_s: float = check_default(1.0, lambda v: 0 < v <= 30, "must be in (0, 30]")  # an instance's span, widened
    # verified: what the judge's reflection verification supports, unless a reviewer rejected it;
    # accepted: only what a reviewer accepted (python -m fragmentforge.microactions.review)
    admit: Literal["verified", "accepted"] = "verified"


@dataclass(frozen=True)
class DescriptionParams:
    """Tarsier2's description task (descriptions/): the frames shown and the form of the target."""

    frames: int = check_default(8, lambda v: 2 <= v <= 32, "must be in [2, 32]")  # shown per description
    grounded: bool = True  # targets put <frame: i-j> before each event (Tarsier2's grounding)
    # records per train video: evenly spaced frames, then jittered ones (each of the N segments
    # gives a seeded frame), as SF²T's jittered train sets; the test split gets the evenly spaced view
    train_views: int = check_default(4, lambda v: 1 <= v <= 32, "must be in [1, 32]")
    static: tuple[str, ...] = ("stand",)  # states that are not events


@dataclass(frozen=True)
class TasksParams:
    """Proxy-task generation (SF²T fragment tasks, FineVidBench scene tasks) and its gate."""

    seed: int = check(lambda v: v >= 0, "must be >= 0")
    # Every module in fragmentforge/tasks/generators runs; an entry here overrides that
    # generator's own options (its `Options`), e.g. `action: {per_unit: 3}` or `enabled: false`.
    generators: dict[str, PluginOptions] = field(default_factory=dict)
    fragment_variant: Literal["normal", "slow", "fast"] = "normal"
    train_modes: tuple[Literal["test", "train"], ...] = ("test", "train")
    scene_frames: int = check_default(5, lambda v: 2 <= v <= 16, "must be in [2, 16]")
    min_per_task_train: int = check_default(10, lambda v: v >= 0, "must be >= 0")
    min_per_task_test: int = check_default(10, lambda v: v >= 0, "must be >= 0")
    letter_tolerance: float = check_default(0.03, lambda v: 0 < v < 1, "must be in (0, 1)")
    # the reply trained and scored: the option's letter, or the option's own text (cloze form)
    answer_format: Literal["letter", "text"] = "letter"
    # how scene questions show their frames: one image each, or as one video (FineVidBench shows a
    # video; Qwen2-VL then patches frame pairs together, so motion reaches its first layer)
    scene_media: Literal["frames", "video"] = "frames"
    ma_bench: MaBenchParams = field(default_factory=MaBenchParams)
    descriptions: DescriptionParams = field(default_factory=DescriptionParams)

    def problems(self):
        from fragmentforge.plugins import names

        known = names("fragmentforge.tasks.generators")
        for name in self.generators:
            if name not in known:
                yield "generators", f"unknown task {name!r} (known: {', '.join(known)})"
        if not self.train_modes:
            yield "train_modes", "name at least one keyframe mode"


@dataclass(frozen=True)
class PretrainParams:
    """Full-parameter pretraining of the tiny base on single-frame grounding questions about its
    own pool of synthetic clips (fragmentforge/models/grounding.py); never a benchmark video."""

    enabled: bool = True
    seed: int = check_default(1, lambda v: v >= 0, "must be >= 0")  # the pool's world seed
    clips: int = check_default(400, lambda v: 1 <= v <= 1_000_000, "must be in [1, 1000000]")
    held_out_clips: int = check_default(40, lambda v: v >= 1, "must be >= 1")
    frames_per_clip: int = check_default(4, lambda v: 1 <= v <= 64, "must be in [1, 64]")
    width: int = check_default(128, *_even_between(32, 1920))
    height: int = check_default(128, *_even_between(32, 1080))
    fps: int = check_default(12, lambda v: 1 <= v <= 60, "must be in [1, 60]")
    jpeg_quality: int = check_default(90, lambda v: 1 <= v <= 100, "must be in [1, 100]")
    epochs: float = check_default(2.0, lambda v: 0 < v <= 1000, "must be in (0, 1000]")
    learning_rate: float = check_default(2e-3, lambda v: 0 < v < 1, "must be in (0, 1)")
    batch_size: int = check_default(16, lambda v: 1 <= v <= 4096, "must be in [1, 4096]")
    warmup_ratio: float = check_default(0.05, lambda v: 0 <= v < 1, "must be in [0, 1)")
    weight_decay: float = check_default(0.0, lambda v: 0 <= v < 1, "must be in [0, 1)")
    lr_scheduler: Literal["cosine", "linear", "constant_with_warmup"] = "cosine"
    optimizer: Literal["adamw", "muon"] = "adamw"  # muon: LLaMA-Factory's Muon (AdamW for 1-D and embeddings)
    freeze_vision_tower: bool = False  # keep the random vision tower; train the merger and the language model
    max_samples: Optional[int] = None  # a cap on the training rows (a quick build in tests)
    answer_format: Literal["letter", "text"] = "letter"  # the reply: the option's letter or its text
    # the question kinds trained (fragmentforge.models.grounding.KINDS); held-out accuracy covers the same
    kinds: tuple[str, ...] = ("colour", "shape", "position", "size", "presence", "count", "caption")

    def problems(self):
        if self.held_out_clips >= self.clips:
            yield "held_out_clips", f"must be fewer than clips ({self.clips})"
        if not self.kinds:  # the names are checked where the pool is drawn (models/grounding.py)
            yield "kinds", "must name at least one kind"


@dataclass(frozen=True)
class TinyModelParams:
    """The embedded default base model: a tiny Qwen2-VL built from this config (no downloads)."""

    name: str = "tiny-qwen2vl"
    seed: int = check_default(0, lambda v: v >= 0, "must be >= 0")
    vocab_size: int = check_default(1024, lambda v: 300 <= v <= 200_000, "must be in [300, 200000]")
    hidden_size: int = check_default(64, lambda v: 16 <= v <= 8192, "must be in [16, 8192]")
    intermediate_size: int = check_default(128, lambda v: 16 <= v, "must be >= 16")
    layers: int = check_default(2, lambda v: 1 <= v <= 128, "must be in [1, 128]")
    heads: int = check_default(4, lambda v: 1 <= v <= 128, "must be in [1, 128]")
    kv_heads: int = check_default(2, lambda v: 1 <= v <= 128, "must be in [1, 128]")
    vision_depth: int = check_default(2, lambda v: 1 <= v <= 64, "must be in [1, 64]")
    vision_embed_dim: int = check_default(32, lambda v: 8 <= v <= 4096, "must be in [8, 4096]")
    vision_heads: int = check_default(2, lambda v: 1 <= v <= 64, "must be in [1, 64]")
    lm_head_init_std: float = check_default(0.25, lambda v: 0 < v <= 2, "must be in (0, 2]")
    image_min_pixels: int = check_default(56 * 56, lambda v: v >= 28 * 28, "must be >= 784 (one merged patch)")
    image_max_pixels: int = check_default(112 * 112, lambda v: v >= 28 * 28, "must be >= 784 (one merged patch)")
    rope_theta: float = check_default(1_000_000.0, lambda v: v > 1, "must be > 1")  # M-RoPE's base
    patch_size: int = check_default(14, lambda v: 2 <= v <= 32, "must be in [2, 32]")  # pixels per vision patch
    merge_size: int = check_default(2, lambda v: 1 <= v <= 8, "must be in [1, 8]")  # patches per token, each way
    pretrain: PretrainParams = field(default_factory=PretrainParams)

    def problems(self):
        if self.hidden_size % self.heads or (self.hidden_size // self.heads) % 8:
            yield "heads", "hidden_size / heads must be a multiple of 8 (M-RoPE splits it in three)"
        if self.heads % self.kv_heads:
            yield "kv_heads", "must divide heads"
        if self.vision_embed_dim % self.vision_heads:
            yield "vision_heads", "must divide vision_embed_dim"
        if self.image_max_pixels < self.image_min_pixels:
            yield "image_max_pixels", "must be >= image_min_pixels"


@dataclass(frozen=True)
class ModelsParams:
    """The model registry and the base models the pipeline trains and evaluates."""

    registry: str = check(lambda v: bool(v), "must name a folder or an s3:// prefix")
    base_models: tuple[str, ...] = check(lambda v: len(v) > 0, "name at least one base model")
    tiny: TinyModelParams
    endpoint_url: Optional[str] = None
    # Models (registry names) whose family runs code from the model folder (MiniCPM-V): only
    # these may, and only code that is in the folder itself.
    trust_remote_code: tuple[str, ...] = ()


@dataclass(frozen=True)
class VariantSpec:
    """One training variant: its data, the stage, and what it starts from and tunes."""

    name: str = check(lambda v: bool(v) and "/" not in v and not v.startswith("."), "must be a plain folder name")
    datasets: tuple[str, ...] = ()  # what it trains on (none for a fused variant)
    stage: Literal["sft", "dpo"] = "sft"
    parent: Optional[str] = None  # a variant whose adapter this one continues training
    tune: Literal["language", "vision", "all"] = "all"  # MA-Bench's ablation: which parts get LoRA
    epochs: Optional[float] = None  # overrides training.epochs
    learning_rate: Optional[float] = None  # overrides training.learning_rate
    label: Optional[str] = None  # the report's name for it (e.g. the paper's "Base(SFT)"); default the name
    # ActionArt's parameter fusion: no training; the weighted average of this variant's adapter and
    # its parent's, (1 - fusion_weight) parent + fusion_weight child (training/fusion.py)
    fuse: Optional[str] = None
    fusion_weight: float = check_default(0.5, lambda v: 0 <= v <= 1, "must be in [0, 1]")


@dataclass(frozen=True)
class PreferenceParams:
    """Tarsier2's preference pairs (descriptions/preference.py), for a dpo variant on description_pairs."""

    views: int = check_default(1, lambda v: v >= 1, "must be >= 1")  # train views per video used as prompts
    corruptions_per_video: int = check_default(1, lambda v: 1 <= v <= 4, "must be in [1, 4]")  # rejected per prompt
    delta: float = check_default(0.3, lambda v: 0 <= v <= 2, "must be in [0, 2]")  # ΔR + ΔP must reach it (paper: 0.3)
    temperature: float = check_default(0.7, lambda v: v >= 0, "must be >= 0")  # 0: greedy (paper: 0.7, top_p 0.7)
    top_p: float = check_default(0.7, lambda v: 0 < v <= 1, "must be in (0, 1]")
    max_new_tokens: int = check_default(256, lambda v: 1 <= v <= 8192, "must be in [1, 8192]")
    batch_size: int = check_default(16, lambda v: 1 <= v <= 4096, "must be in [1, 4096]")
    # false: Tarsier2's "w/o PF" ablation, as many pairs as the filter keeps, drawn from every candidate
    filter: bool = True


@dataclass(frozen=True)
class TrainingParams:
    """LoRA training through LLaMA-Factory; one adapter per (base model, variant)."""

    variants: tuple[VariantSpec, ...]
    seed: int = check_default(0, lambda v: v >= 0, "must be >= 0")
    lora_rank: int = check_default(8, lambda v: 1 <= v <= 1024, "must be in [1, 1024]")
    lora_alpha: int = check_default(16, lambda v: v >= 1, "must be >= 1")
    lora_dropout: float = check_default(0.0, lambda v: 0 <= v < 1, "must be in [0, 1)")
    lora_target: str = "all"
    learning_rate: float = check_default(5e-3, lambda v: 0 < v < 1, "must be in (0, 1)")
    epochs: float = check_default(1.0, lambda v: 0 < v <= 1000, "must be in (0, 1000]")
    batch_size: int = check_default(8, lambda v: 1 <= v <= 4096, "must be in [1, 4096]")
    grad_accum: int = check_default(1, lambda v: 1 <= v <= 4096, "must be in [1, 4096]")
    lr_scheduler: str = "cosine"
    warmup_ratio: float = check_default(0.05, lambda v: 0 <= v < 1, "must be in [0, 1)")
    cutoff_len: int = check_default(2048, lambda v: 16 <= v, "must be >= 16")
    save_steps: int = check_default(100, lambda v: v >= 1, "must be >= 1")
    logging_steps: int = check_default(5, lambda v: v >= 1, "must be >= 1")
    pref_beta: float = check_default(0.1, lambda v: v > 0, "must be > 0")
    pref_loss: Literal["sigmoid", "hinge", "ipo", "kto_pair", "orpo", "simpo"] = "sigmoid"
    preprocessing_workers: int = check_default(1, lambda v: 1 <= v <= 256, "must be in [1, 256]")
    max_samples: Optional[int] = None  # cap per dataset (a quick look at a new base model)
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"  # auto: bf16 on CUDA, fp32 on CPU
    # recompute activations in the backward pass: memory for time, worth it on a large base only
    gradient_checkpointing: bool = True
    time_limit_s: float = check_default(3600.0, lambda v: v > 0, "must be > 0")
    # CPU: torch threads per training, and trainings at once (the Dagster pool's limit, the DVC
    # stage's lanes). The tiny model gains little from a second thread, so two one-thread lanes
    # beat one two-thread lane; the adapters come out the same to the byte (README: "Training").
    threads: int = check_default(1, lambda v: 1 <= v <= 256, "must be in [1, 256]")
    parallel: int = check_default(2, lambda v: 1 <= v <= 64, "must be in [1, 64]")
    # frozen vision side (tune: language): each image encoded once a run, at most this many MiB
    # of visual embeddings kept (training/frozen_vision.py); 0 encodes every image every time
    vision_cache_mib: int = check_default(2048, lambda v: v >= 0, "must be >= 0")
    preference: PreferenceParams = field(default_factory=PreferenceParams)
    # An experiment's overrides (ablations/): train and evaluate only these variants and what they
    # start from (parents, fused sources), and give every variant this `tune`. null: as listed.
    only: Optional[tuple[str, ...]] = None
    tune: Optional[Literal["language", "vision", "all"]] = None

    def __post_init__(self):
        object.__setattr__(self, "declared", tuple(v.name for v in self.variants))
        kept = self.variants
        if self.only is not None:
            by_name, wanted = {v.name: v for v in self.variants}, set()
            stack = [n for n in self.only if n in by_name]
            while stack:
                name = stack.pop()
                if name not in wanted:
                    wanted.add(name)
                    stack += [n for n in (by_name[name].parent, by_name[name].fuse) if n]
            kept = tuple(v for v in kept if v.name in wanted)
        if self.tune is not None:
            kept = tuple(replace(v, tune=self.tune) for v in kept)
        object.__setattr__(self, "variants", kept)

    def problems(self):
        for name in self.only or ():
            if name not in self.declared:
                yield "only", f"{name!r} is not a variant (variants: {', '.join(self.declared)})"
        names = [v.name for v in self.variants]
        if "base" in names:
            yield "variants", "'base' names the base model without an adapter; pick another variant name"
        for v in self.variants:
            if names.count(v.name) > 1:
                yield "variants", f"variant {v.name!r} is listed twice"
            if v.parent is not None and v.parent not in names[:names.index(v.name)]:
                yield "variants", f"{v.name}: parent {v.parent!r} must be a variant listed before it"
        for v in self.variants:
            earlier = names[:names.index(v.name)]
            if v.fuse is not None and (v.fuse not in earlier or v.datasets or v.parent):
                yield "variants", (f"{v.name}: a fused variant names an earlier variant in `fuse` and no datasets or "
                                   "parent (its parent is that variant's)")
            if v.fuse is None and not v.datasets:
                yield "variants", f"{v.name}: name at least one dataset"
            if "description_pairs" in v.datasets and (v.stage != "dpo" or v.parent is None):
                yield "variants", (f"{v.name}: description_pairs are sampled from a parent adapter and train DPO; "
                                   "give it stage: dpo and a parent")


@dataclass(frozen=True)
class EvaluationParams:
    """The benchmark run on plain transformers + peft: every model, every variant, same frames."""

    scoring: Literal["likelihood", "generation"] = "likelihood"
    likelihood_target: Literal["letter", "text"] = "letter"  # text: each option's own words as the reply
    batch_size: int = check_default(16, lambda v: 1 <= v <= 4096, "must be in [1, 4096]")
    max_new_tokens: int = check_default(16, lambda v: 1 <= v <= 4096, "must be in [1, 4096]")
    bootstrap_resamples: int = check_default(1000, lambda v: 100 <= v <= 1_000_000, "must be in [100, 1000000]")
    seed: int = check_default(0, lambda v: v >= 0, "must be >= 0")
    device: Literal["auto", "cpu", "cuda"] = "auto"
    # a quick look: the first questions by qa_id (null: all of them)
    max_questions: Optional[int] = check_default(None, lambda v: v is None or v >= 1, "must be >= 1, or null")
    external_frames: int = check_default(8, lambda v: 1 <= v <= 64, "must be in [1, 64]")  # MVBench-format files
    external_time_limit_s: float = check_default(120.0, lambda v: v > 0, "must be > 0")  # per video's sampling
    # the collapse check: a task where one letter takes at least this share of the predictions
    collapse_share: float = check_default(0.8, lambda v: 0 < v <= 1, "must be in (0, 1]")
    # FineAgent (evaluate/fineagent.py): the helper settings each model is also run with on the
    # FineBench questions, at inference only; () = none
    fineagent: tuple[Literal["localizer", "descriptor", "localizer+descriptor"], ...] = (
        "localizer", "descriptor", "localizer+descriptor")
    # MA-Bench's open-ended answers (MADU, MARE): greedy, at most this many new tokens
    open_ended_max_new_tokens: int = check_default(48, lambda v: 1 <= v <= 4096, "must be in [1, 4096]")
    # Tarsier2's descriptions, greedy (a grounded reference of the people world: 117 tokens at the
    # median, 290 at the 95th percentile, with the tiny model's tokenizer)
    description_max_new_tokens: int = check_default(256, lambda v: 1 <= v <= 8192, "must be in [1, 8192]")
    # CPU: models evaluated at once, each in its own process on this many torch threads (the
    # predictions do not depend on either; tests/test_evaluation.py)
    parallel: int = check_default(2, lambda v: 1 <= v <= 64, "must be in [1, 64]")
    threads: int = check_default(1, lambda v: 1 <= v <= 256, "must be in [1, 256]")


@dataclass(frozen=True)
class MotionDescriptorParams:
    """MA-Bench's micro-motion tracker: Farneback flow inside keypoint body-part regions."""

    window_frames: int = check_default(6, lambda v: 1 <= v <= 1000, "must be in [1, 1000]")  # flow pairs a row sums
    thickness: int = check_default(5, lambda v: 1 <= v <= 64, "must be in [1, 64]")  # limb region width, pixels
    time_limit_s: float = check_default(120.0, lambda v: v > 0, "must be > 0")  # per video, then quarantined
    workers: int = check_default(2, lambda v: 1 <= v <= 64, "must be in [1, 64]")


@dataclass(frozen=True)
class TeacherParams:
    """A teacher (labels data) or judge (scores answers): the ground-truth one, or any
    OpenAI-compatible chat-completions server (teacher/client.py)."""

    kind: Literal["ground_truth", "openai"] = "ground_truth"
    base_url: str = "http://127.0.0.1:8000/v1"
    model: Optional[str] = None            # the server's model name (openai only)
    api_key_env: Optional[str] = None      # the environment variable holding the key; never in params
    temperature: float = check_default(0.0, lambda v: 0 <= v <= 2, "must be in [0, 2]")
    max_tokens: int = check_default(512, lambda v: 1 <= v <= 65536, "must be in [1, 65536]")
    seed: Optional[int] = 0                # sent to servers that honour it (vLLM, llama.cpp)
    structured_output: bool = True         # send the schema as response_format (servers that ignore it still get checked)
    concurrency: int = check_default(4, lambda v: 1 <= v <= 256, "must be in [1, 256]")
    timeout_s: float = check_default(60.0, lambda v: v > 0, "must be > 0")
    retries: int = check_default(3, lambda v: 0 <= v <= 20, "must be in [0, 20]")
    backoff_s: float = check_default(1.0, lambda v: 0 <= v <= 60, "must be in [0, 60]")

    def problems(self):
        if self.kind == "openai" and not self.model:
            yield "model", "an openai teacher needs the server's model name"
        if not self.base_url.startswith(("http://", "https://")):
            yield "base_url", "must be an http:// or https:// URL"


@dataclass(frozen=True)
class Params:
    paths: PathsParams
    synthetic: SyntheticParams
    ingest: IngestParams
    keyframes: KeyframeParams
    tasks: TasksParams
    models: ModelsParams
    training: TrainingParams
    evaluation: EvaluationParams
    motion_descriptors: MotionDescriptorParams = field(default_factory=MotionDescriptorParams)
    teacher: TeacherParams = field(default_factory=TeacherParams)
    judge: TeacherParams = field(default_factory=TeacherParams)
