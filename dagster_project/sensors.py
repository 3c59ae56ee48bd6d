"""The registry sensor (a new base model gets a partition and a run) and the benchmark
schedule (every base model again; off until switched on in the UI)."""
from __future__ import annotations

import json
import os

from dagster import (
    AddDynamicPartitionsRequest,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    schedule,
    sensor,
)

from dagster_project.partitions import BASE_MODELS
from dagster_project.resources import PipelineConfig
from fragmentforge.models.build import open_registry
from fragmentforge.config.edit import append_base_models
from fragmentforge.models.watch import watch

BASE_MODEL_JOB = "base_model_job"
BASE_MODEL_TAG = "fragmentforge/base_model"  # dagster.yaml limits runs per value of this tag


@sensor(job_name=BASE_MODEL_JOB, minimum_interval_seconds=int(os.environ.get("FRAGMENTFORGE_SENSOR_INTERVAL_S", "30")),
        default_status=DefaultSensorStatus.RUNNING)
def registry_sensor(context: SensorEvaluationContext, pipeline: PipelineConfig) -> SensorResult:
    """Watches models.registry (a folder or an s3:// prefix). A model folder that has landed
    completely (stages/fragmentforge/models/watch.py) and has no partition yet gets one, is appended to
    models.base_models in params.yaml (so `dvc repro` sees it too) and gets a run: training,
    evaluation and its report with the regression against the previous model. A model whose
    content changed since it was taken runs again."""
    params = pipeline.params()
    registry = open_registry(params, pipeline.root)
    result = watch(registry, json.loads(context.cursor) if context.cursor else {})
    registry.save_hash_cache()
    for name, why in result.waiting.items():
        context.log.info(f"registry: {name}: {why}")
    for name, why in result.unsupported.items():
        context.log.warning(f"registry: {name}: {why}; no run is launched for it")
    known = set(context.instance.get_dynamic_partitions(BASE_MODELS.name))
    new = [landed.entry.name for landed in result.landed if landed.entry.name not in known]
    rerun = [landed.entry for landed in result.landed
             if landed.entry.name in new or landed.previous_hash not in (None, landed.entry.content_hash)]
    if new:
        added = append_base_models(pipeline.root / pipeline.params_file, new)
        context.log.info(f"registry: new base models {new}; appended to models.base_models: {added}")
    return SensorResult(
        run_requests=[RunRequest(run_key=f"{e.name}@{e.content_hash[:16]}", partition_key=e.name,
                                 tags={BASE_MODEL_TAG: e.name}) for e in rerun],
        dynamic_partitions_requests=[AddDynamicPartitionsRequest(BASE_MODELS.name, new)] if new else [],
        cursor=json.dumps(result.cursor, sort_keys=True),
    )


@schedule(job_name=BASE_MODEL_JOB, cron_schedule="0 3 * * 1", default_status=DefaultScheduleStatus.STOPPED)
def weekly_benchmark(context):
    """Every base model's training, evaluation and report again (Mondays 03:00). Unchanged
    inputs make most of it a no-op; switch it on in the UI when the code or data move often."""
    for name in context.instance.get_dynamic_partitions(BASE_MODELS.name):
        yield RunRequest(partition_key=name, tags={BASE_MODEL_TAG: name})
