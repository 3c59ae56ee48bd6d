"""The Dagster code location: assets by domain, resources, and the main job."""
from __future__ import annotations

import os
from pathlib import Path

from dagster import AssetSelection, Definitions, define_asset_job, load_assets_from_modules, multiprocess_executor
from dagster_duckdb import DuckDBResource

from dagster_project.assets import evaluation, ingestion, keyframes, models, tasks
from dagster_project.pods import LOCAL_LIMITS
from dagster_project.resources import PipelineConfig, default_root
from stages.config import load_params


def pick_executor():
    """The Kubernetes executor (a pod per step, GPU requests from op tags) when asked for,
    else Dagster's default; dagster-k8s is only installed in the cluster image."""
    if os.environ.get("FRAGMENTFORGE_EXECUTOR") == "k8s":
        from dagster_k8s import k8s_job_executor

        return k8s_job_executor.configured({"job_namespace": os.environ.get("FRAGMENTFORGE_NAMESPACE", "fragmentforge"),
                                            "max_concurrent": 8})
    return multiprocess_executor.configured({"tag_concurrency_limits": LOCAL_LIMITS})


def build_definitions(project_root: str | None = None, params_file: str = "params.yaml") -> Definitions:
    root = project_root or default_root()
    pipeline = PipelineConfig(project_root=root, params_file=params_file)
    params = load_params(Path(root) / params_file)
    results_db = Path(root) / params.paths.results_db
    results_db.parent.mkdir(parents=True, exist_ok=True)
    adapters = models.adapter_assets(params.training.variants)
    return Definitions(
        assets=[*load_assets_from_modules([ingestion, keyframes, tasks]), models.base_models, *adapters,
                *evaluation.evaluation_assets(adapters)],
        asset_checks=[tasks.task_gate],
        resources={"pipeline": pipeline, "duckdb": DuckDBResource(database=str(results_db))},
        executor=pick_executor(),
        jobs=[define_asset_job("main_job", selection=AssetSelection.all(),
                               description="Everything from the sources to the latest stage.")],
    )


defs = build_definitions()
