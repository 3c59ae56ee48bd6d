"""Models domain: the model registry (with the embedded tiny Qwen2-VL) and LoRA adapters.

Every asset here has one partition per base model. One adapter asset per training variant in
params.yaml, so a variant's parent (sft before sft+sf2t) is an upstream asset and each
variant's metadata stands on its own. Data versions are content hashes (model, adapter), so
a retrained adapter that came out identical leaves its evaluations fresh.
"""

import base64
import re

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetsDefinition,
    DataVersion,
    MaterializeResult,
    MetadataValue,
    asset,
)

from dagster_project.assets.tasks import training_datasets
from dagster_project.partitions import BASE_MODELS
from dagster_project.pods import TORCH_STEP, cpu_pod_tags, gpu_pod_tags
from dagster_project.resources import PipelineConfig
from dagster_project.retries import retry_transient
from fragmentforge.config.schema import VariantSpec
from fragmentforge.variants import start_priority


@asset(group_name="models", partitions_def=BASE_MODELS, op_tags=cpu_pod_tags())
def base_models(context: AssetExecutionContext, pipeline: PipelineConfig) -> MaterializeResult:
    """One base model of the registry (a partition each): checked loadable, described, hashed.
    The embedded tiny Qwen2-VL is built first when it is missing or stale."""
    from fragmentforge.models.build import build_base_model, open_registry
    from fragmentforge.models.families import family_for
    from fragmentforge.models.registry import ModelFolderError

    params = pipeline.params()
    name = context.partition_key
    with retry_transient(context):  # the registry may be an s3:// prefix
        built = name == params.models.tiny.name and build_base_model(params, pipeline.root)
        registry = open_registry(params, pipeline.root)
        try:
            entry = registry.describe(name)
        except (ModelFolderError, FileNotFoundError) as exc:
            raise RuntimeError(f"base model {name!r} at {registry.uri(name)} is not a loadable model: {exc}") from None
        registry.save_hash_cache()
        pretraining = pretraining_metadata(registry, name)
    return MaterializeResult(data_version=DataVersion(entry.content_hash), metadata={
        **pretraining,
        "tiny_model_built": built,
        "architecture": entry.architecture,
        "model_type": entry.model_type,
        "family": family_for(entry.model_type).__name__.rsplit(".", 1)[-1],
        "remote_code": ", ".join(entry.remote_code) or "none",
        "parameters": entry.parameters,
        "bytes": entry.bytes,
        "content_hash": entry.content_hash,
        "uri": entry.uri,
    })


def pretraining_metadata(registry, name: str) -> dict:
    """The embedded base's grounding pretraining: held-out accuracy per question kind, loss curve."""
    import json

    from fragmentforge.models.pretrain import PRETRAIN_RECORD
    from fragmentforge.report import markdown_table

    try:
        record = json.loads(registry.read_bytes(name, PRETRAIN_RECORD))
    except (FileNotFoundError, ValueError):
        return {}
    held = record["held_out"]
    return {
        "grounding_held_out_accuracy": held["accuracy"], "grounding_chance": held["chance"],
        "grounding_by_kind": MetadataValue.md(markdown_table(
            ["kind", "accuracy", "chance", "questions"],
            [[k, f"{v['accuracy']:.3f}", f"{v['chance']:.3f}", v["questions"]] for k, v in held["kinds"].items()])),
        "pretrain_final_loss": record["final_loss"],
        "pretrain_loss": MetadataValue.md(markdown_table(["step", "loss"], record["loss"])),
    }


ADAPTERS = "adapters"  # the DAG node: DVC stage `adapters`, stages/adapters.py, assets adapters/<variant>
PRIOR_CHECK = "below_letter_prior_loss"
PRIOR_TEXT = ("Warns when training ended at the letter-prior loss: the loss of a model that learned the answer "
              "format and how often each letter is right, and nothing from the frames.")


def asset_name(variant: str) -> str:
    return re.sub(r"[^0-9a-zA-Z]+", "_", variant).strip("_")


def loss_plot(path) -> str:
    if not path.is_file():
        return "_no loss plot_"
    return f"![loss](data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()})"


def adapter_asset(variant: VariantSpec, upstream: dict[str, AssetsDefinition], priority: int) -> AssetsDefinition:
    deps = [base_models, training_datasets] + [upstream[v] for v in (variant.parent, variant.fuse) if v]
    key = [ADAPTERS, asset_name(variant.name)]
    # Of the steps ready at once, the executor starts the highest priority first, as the DVC stage does.
    tags = {**gpu_pod_tags(), **TORCH_STEP, "dagster/priority": str(priority)}

    @asset(name=asset_name(variant.name), key_prefix=[ADAPTERS], group_name="models", deps=deps, op_tags=tags,
           partitions_def=BASE_MODELS, check_specs=[AssetCheckSpec(PRIOR_CHECK, asset=key, description=PRIOR_TEXT)],
           description=(f"LoRA adapter '{variant.name}': {variant.fusion_weight} x {variant.fuse} + the rest its parent "
                        "(ActionArt's parameter fusion)" if variant.fuse else
                        f"LoRA adapter '{variant.name}' ({variant.stage} on {', '.join(variant.datasets)}"
                        + (f", continuing {variant.parent}" if variant.parent else "") + f"; tunes {variant.tune})."))
    def _adapter(context: AssetExecutionContext, pipeline: PipelineConfig) -> MaterializeResult:
        from fragmentforge.training.adapters import NoPreferencePairs, train_one
        from fragmentforge.training.runner import LOSS_PLOT

        try:
            with retry_transient(context):  # copying the base model from an s3:// registry
                result = train_one(pipeline.params(), pipeline.root, context.partition_key, variant.name)
        except NoPreferencePairs as exc:  # nothing to train: skipped, said so, not failed
            return MaterializeResult(data_version=DataVersion("skipped"), metadata={"status": "skipped", "reason": str(exc)},
                                     check_results=[AssetCheckResult(check_name=PRIOR_CHECK, passed=True,
                                                                     metadata={"skipped": str(exc)})])
        rec = result.record
        check = AssetCheckResult(check_name=PRIOR_CHECK, passed=not rec.get("at_letter_prior"),
                                 severity=AssetCheckSeverity.WARN,
                                 metadata={k: v for k, v in (("final_loss", rec["final_loss"]),
                                           ("letter_prior_loss", rec.get("letter_prior_loss"))) if v is not None})
        metadata = {
            "status": result.status,
            "final_loss": rec["final_loss"],
            "letter_prior_loss": rec.get("letter_prior_loss"),
            "steps": rec["steps"],
            "samples_per_second": rec["samples_per_second"],
            "tokens_per_second": rec["tokens_per_second"],
            "trainable_parameters": rec["trainable_parameters"],
            "peak_rss_mib": round((rec["peak_rss_bytes"] or 0) / 2**20, 1),
            "device": rec["device"],
            "adapter": MetadataValue.path(str(result.adapter_dir)),
            "loss_plot": MetadataValue.md(loss_plot(result.adapter_dir / LOSS_PLOT)),
            **pairs_metadata(result.adapter_dir),
        }
        return MaterializeResult(data_version=DataVersion(rec["adapter_hash"]), check_results=[check],
                                 metadata={k: v for k, v in metadata.items() if v is not None})

    return _adapter


def pairs_metadata(adapter_dir) -> dict:
    """A DPO variant's preference pairs (Tarsier2): how many were sampled, and kept by the filter."""
    import json

    from fragmentforge.descriptions.preference import FILTER

    path = adapter_dir / "pairs" / FILTER
    if not path.is_file():
        return {}
    pairs = json.loads(path.read_text())
    return {"pairs_candidates": pairs["candidates"], "pairs_kept": pairs["kept"], "pairs_delta": pairs["delta"],
            "pairs_removed_by": MetadataValue.json(pairs["failed"])}


def adapter_assets(params, root) -> list[AssetsDefinition]:
    built: dict[str, AssetsDefinition] = {}
    priority = start_priority(params, root)  # from the export's sizes when it exists (make run's partition run)
    for variant in params.training.variants:
        built[variant.name] = adapter_asset(variant, built, priority[variant.name])
    return list(built.values())
