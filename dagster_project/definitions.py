"""The Dagster code location: assets by domain, the per-base-model partitions, the registry
sensor and benchmark schedule, resources, jobs and the executor."""
from __future__ import annotations

import inspect
import os
from pathlib import Path

from dagster import AssetSelection, Definitions, define_asset_job, load_assets_from_modules, multiprocess_executor

from dagster_project.assets import ablations, evaluation, ingestion, keyframes, microactions, models, tasks
from dagster_project.partitions import BASE_MODELS
from dagster_project.pods import local_limits
from dagster_project.resources import PipelineConfig, default_root
from dagster_project.sensors import BASE_MODEL_JOB, registry_sensor, weekly_benchmark
from dagster_project.versions import code_version
from fragmentforge.config import load_params

CODE_ROOT = Path(__file__).resolve().parent.parent  # where this code location's modules live


def node_name(asset_key) -> str:
    """The DAG node an asset belongs to: its name, or its key prefix (adapters/<variant>)."""
    return asset_key.path[0]


def pick_executor(parallel: int):
    """The Kubernetes executor (a pod per step, GPU requests from op tags) when asked for,
    else Dagster's default; dagster-k8s is only installed in the cluster image."""
    if os.environ.get("FRAGMENTFORGE_EXECUTOR") == "k8s":
        from dagster_k8s import k8s_job_executor

        return k8s_job_executor.configured({"job_namespace": os.environ.get("FRAGMENTFORGE_NAMESPACE", "fragmentforge"),
                                            "max_concurrent": 8})
    return multiprocess_executor.configured({"tag_concurrency_limits": local_limits(parallel)})


def with_code_versions(assets, root: Path, params) -> list:
    """Each asset's code version covers what its DVC stage runs (dvc.yaml's deps, from the import
    graph) and the params keys it lists, plus the asset's own module."""
    out = []
    for a in assets:
        own = Path(inspect.getsourcefile(a.op.compute_fn.decorated_fn)).resolve().relative_to(CODE_ROOT)
        version = code_version(root, params, node_name(a.key), (own.as_posix(),))
        out.append(a.map_asset_specs(lambda spec, v=version: spec.replace_attributes(code_version=v)))
    return out


def build_definitions(project_root: str | None = None, params_file: str = "params.yaml") -> Definitions:
    root = project_root or default_root()
    pipeline = PipelineConfig(project_root=root, params_file=params_file)
    params = load_params(Path(root) / params_file)
    adapters = models.adapter_assets(params, Path(root))
    evaluations = evaluation.evaluation_assets(adapters)
    assets = with_code_versions([*load_assets_from_modules([ingestion, keyframes, microactions, tasks]), models.base_models,
                                 *adapters, *evaluations], Path(root), params)
    per_model = AssetSelection.assets(*[a for a in assets if a.partitions_def == BASE_MODELS])
    # DVC experiments, not DVC stages: no code version from dvc.yaml, and only run when asked for
    on_demand = ablations.ablation_assets(evaluations[0])
    return Definitions(
        assets=[*assets, *on_demand],
        asset_checks=[tasks.task_gate, tasks.review_queue],
        resources={"pipeline": pipeline},
        executor=pick_executor(params.training.parallel),
        jobs=[define_asset_job("data_job", selection=AssetSelection.all() - per_model - AssetSelection.assets(*on_demand),
                               description="Sources to training datasets: everything not per base model."),
              define_asset_job(BASE_MODEL_JOB, selection=per_model, partitions_def=BASE_MODELS,
                               description="One base model: registry check, LoRA variants, evaluation, report.")],
        sensors=[registry_sensor],
        schedules=[weekly_benchmark],
    )


defs = build_definitions()
