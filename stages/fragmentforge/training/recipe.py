"""The LLaMA-Factory arguments for one (base model, variant): everything the run depends on."""
from __future__ import annotations

from pathlib import Path

from fragmentforge.config.schema import TrainingParams, VariantSpec
from fragmentforge.models.families import VIDEO_FPS, family_of, pixel_bounds

# MA-Bench's ablation of what to tune, as LLaMA-Factory's freeze switches.
TUNE_FLAGS = {
    "language": {"freeze_vision_tower": True, "freeze_multi_modal_projector": True, "freeze_language_model": False},
    "vision": {"freeze_vision_tower": False, "freeze_multi_modal_projector": False, "freeze_language_model": True},
    "all": {"freeze_vision_tower": False, "freeze_multi_modal_projector": False, "freeze_language_model": False},
}


def precision_flags(precision: str, cuda: bool) -> dict:
    if precision == "auto":
        precision = "bf16" if cuda else "fp32"
    return {"bf16": precision == "bf16", "fp16": precision == "fp16"}


def build_recipe(*, base_path: Path, variant: VariantSpec, training: TrainingParams, dataset_dir: Path,
                 media_dir: Path, output_dir: Path, cuda: bool, parent_adapter: Path | None = None) -> dict:
    family = family_of(base_path)
    recipe = {
        "model_name_or_path": str(base_path),
        "trust_remote_code": family.TRUST_REMOTE_CODE,
        "stage": variant.stage,
        "do_train": True,
        "finetuning_type": "lora",
        "lora_target": training.lora_target,
        "lora_rank": training.lora_rank,
        "lora_alpha": training.lora_alpha,
        "lora_dropout": training.lora_dropout,
        **TUNE_FLAGS[variant.tune],
        "dataset": ",".join(variant.datasets),
        "dataset_dir": str(dataset_dir),
        "media_dir": str(media_dir),
        "template": family.TEMPLATE,
        "video_fps": VIDEO_FPS,
        **pixel_bounds(family),
        "cutoff_len": training.cutoff_len,
        "preprocessing_num_workers": training.preprocessing_workers,
        "overwrite_cache": True,
        "output_dir": str(output_dir),
        "logging_steps": training.logging_steps,
        "save_steps": training.save_steps,
        "save_total_limit": 2,
        "plot_loss": True,
        "per_device_train_batch_size": training.batch_size,
        "gradient_accumulation_steps": training.grad_accum,
        "learning_rate": variant.learning_rate or training.learning_rate,
        "num_train_epochs": variant.epochs or training.epochs,
        "lr_scheduler_type": training.lr_scheduler,
        "warmup_ratio": training.warmup_ratio,
        "include_num_input_tokens_seen": True,
        "report_to": "none",
        "seed": training.seed,
        "data_seed": training.seed,
        **precision_flags(training.precision, cuda),
        "disable_gradient_checkpointing": not training.gradient_checkpointing,
    }
    if training.max_samples is not None:
        recipe["max_samples"] = training.max_samples
    if variant.stage == "dpo":
        recipe.update(pref_beta=training.pref_beta, pref_loss=training.pref_loss)
    if parent_adapter is not None:
        # One adapter path and no new adapter: LLaMA-Factory keeps training the parent's LoRA,
        # so the result is a single self-contained adapter ("Base(SFT)+SF²T").
        recipe.update(adapter_name_or_path=str(parent_adapter), create_new_adapter=False)
        if variant.stage == "dpo":
            # DPO's reference is the parent (Tarsier2: the SFT model). Without these LLaMA-Factory
            # would score the reference with the LoRA switched off, i.e. the bare base.
            recipe.update(ref_model=str(base_path), ref_model_adapters=str(parent_adapter))
    return recipe


# Keys that name where things are rather than what is trained: left out of the fingerprint.
LOCATION_KEYS = ("model_name_or_path", "dataset_dir", "media_dir", "output_dir", "adapter_name_or_path", "ref_model",
                 "ref_model_adapters")
