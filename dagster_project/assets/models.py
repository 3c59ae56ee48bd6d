"""Models domain: the model registry (with the embedded tiny Qwen2-VL) and LoRA adapters.

One adapter asset per training variant in params.yaml, so a variant's parent (sft before
sft+sf2t) is an upstream asset and each variant's metadata stands on its own.
"""
from __future__ import annotations

import base64
import re

from dagster import AssetsDefinition, MaterializeResult, MetadataValue, asset

from dagster_project.assets.tasks import training_datasets
from dagster_project.pods import TORCH_STEP, cpu_pod_tags, gpu_pod_tags
from dagster_project.resources import PipelineConfig
from stages.build_base_model import build_base_model, scan_models
from stages.config.schema import VariantSpec
from stages.train import train_one


@asset(group_name="models", op_tags=cpu_pod_tags())
def base_models(pipeline: PipelineConfig) -> MaterializeResult:
    """The registry scan; builds the embedded tiny Qwen2-VL first when it is missing or stale."""
    params = pipeline.params()
    built = build_base_model(params, pipeline.root)
    models, problems = scan_models(params, pipeline.root)
    missing = [name for name in params.models.base_models if name not in {m.name for m in models}]
    if missing:
        raise RuntimeError(f"base models listed in params.yaml are not loadable models in the registry: {missing}; "
                           + "; ".join(f"{p.name}: {p.reason}" for p in problems))
    table = "\n".join(f"| {m.name} | {m.architecture} | {m.parameters:,} | {m.bytes:,} | `{m.content_hash[:12]}` |"
                      for m in models)
    return MaterializeResult(metadata={
        "tiny_model_built": built,
        "models": MetadataValue.md("| name | architecture | parameters | bytes | hash |\n|---|---|---|---|---|\n" + table),
        "invalid_folders": MetadataValue.json({p.name: p.reason for p in problems}),
        "registry": params.models.registry,
    })


def asset_name(variant: str) -> str:
    return "adapter_" + re.sub(r"[^0-9a-zA-Z]+", "_", variant).strip("_")


def loss_plot(path) -> str:
    if not path.is_file():
        return "_no loss plot_"
    return f"![loss](data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()})"


def adapter_asset(variant: VariantSpec, upstream: dict[str, AssetsDefinition]) -> AssetsDefinition:
    deps = [base_models, training_datasets] + ([upstream[variant.parent]] if variant.parent else [])

    @asset(name=asset_name(variant.name), group_name="models", deps=deps, op_tags={**gpu_pod_tags(), **TORCH_STEP},
           description=f"LoRA adapter '{variant.name}' ({variant.stage} on {', '.join(variant.datasets)}"
                       + (f", continuing {variant.parent}" if variant.parent else "") + f"; tunes {variant.tune}).")
    def _adapter(pipeline: PipelineConfig) -> MaterializeResult:
        params = pipeline.params()
        metadata = {}
        for base in params.models.base_models:
            result = train_one(params, pipeline.root, base, variant.name)  # writes under the results-db lock
            rec = result.record
            prefix = f"{base}/" if len(params.models.base_models) > 1 else ""
            metadata.update({
                f"{prefix}status": result.status,
                f"{prefix}final_loss": rec["final_loss"],
                f"{prefix}steps": rec["steps"],
                f"{prefix}samples_per_second": rec["samples_per_second"],
                f"{prefix}tokens_per_second": rec["tokens_per_second"],
                f"{prefix}trainable_parameters": rec["trainable_parameters"],
                f"{prefix}peak_rss_mib": round((rec["peak_rss_bytes"] or 0) / 2**20, 1),
                f"{prefix}device": rec["device"],
                f"{prefix}adapter": MetadataValue.path(str(result.adapter_dir)),
                f"{prefix}loss_plot": MetadataValue.md(loss_plot(result.adapter_dir / "training_loss.png")),
            })
        return MaterializeResult(metadata=metadata)

    return _adapter


def adapter_assets(variants: tuple[VariantSpec, ...]) -> list[AssetsDefinition]:
    built: dict[str, AssetsDefinition] = {}
    for variant in variants:
        built[variant.name] = adapter_asset(variant, built)
    return list(built.values())
