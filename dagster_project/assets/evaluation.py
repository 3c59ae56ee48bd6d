"""Evaluation domain, per base model: the benchmark for the model and each of its adapters,
then the report (with the regression against the previous base model)."""

import base64
import hashlib
from pathlib import Path

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

from dagster_project.assets.ingestion import raw_videos
from dagster_project.assets.keyframes import keyframe_sets
from dagster_project.assets.models import base_models
from dagster_project.assets.tasks import proxy_tasks
from dagster_project.partitions import BASE_MODELS, RESULTS_DB_POOL
from dagster_project.pods import TORCH_STEP, cpu_pod_tags, gpu_pod_tags
from dagster_project.resources import PipelineConfig
from dagster_project.retries import retry_transient


COLLAPSE_CHECK = "no_collapsed_task"
COLLAPSE_TEXT = ("Warns when, for some model and task, one predicted letter takes at least evaluation.collapse_share "
                 "of the answers: letters are balanced, so such a model scores chance whatever it sees.")


def evaluation_assets(adapter_assets: list[AssetsDefinition]) -> list[AssetsDefinition]:
    # The same inputs as the DVC stages: the model, its adapters, the benchmark's records and frames.
    @asset(group_name="evaluation", deps=[base_models, proxy_tasks, keyframe_sets, *adapter_assets],
           partitions_def=BASE_MODELS,
           op_tags={**gpu_pod_tags(), **TORCH_STEP},
           check_specs=[AssetCheckSpec(COLLAPSE_CHECK, asset="evaluations", description=COLLAPSE_TEXT)])
    def evaluations(context: AssetExecutionContext, pipeline: PipelineConfig) -> MaterializeResult:
        """Every benchmark question through the base model and each of its adapters (plain transformers + peft)."""
        base = context.partition_key
        from fragmentforge.evaluate.evaluations import evaluate_base_model
        from fragmentforge.report import markdown_table
        from fragmentforge.variants import mean_task_accuracy

        from fragmentforge.evaluate.collapse import collapsed_tasks

        lines, run_ids, collapsed = [], [], []
        params = pipeline.params()
        with retry_transient(context):
            summaries = evaluate_base_model(params, pipeline.root, base)
        for summary in summaries:
            mean = mean_task_accuracy(summary["metrics"]) or 0.0
            unparseable = sum(m["unparseable"] for m in summary["metrics"] if m["n"] is None)
            run_ids.append(summary["run"]["run_id"])
            lines.append([summary["run"]["variant"], summary["run"]["questions"], f"{100 * mean:.1f}", unparseable,
                          f"`{summary['run']['run_id']}`"])
            collapsed += [[summary["run"]["variant"], m["task"], m["top_letter"], f"{100 * m['top_share']:.0f}%"]
                          for m in collapsed_tasks(summary["metrics"], params.evaluation.collapse_share)]
        check = AssetCheckResult(
            check_name=COLLAPSE_CHECK, passed=not collapsed, severity=AssetCheckSeverity.WARN,
            metadata={"collapsed": len(collapsed), "threshold": params.evaluation.collapse_share,
                      "details": MetadataValue.md(markdown_table(["variant", "task", "letter", "share"], collapsed)
                                                  if collapsed else "_no collapsed task_")})
        return MaterializeResult(
            check_results=[check],
            data_version=DataVersion(hashlib.sha256(",".join(sorted(run_ids)).encode()).hexdigest()[:20]),
            metadata={"runs": MetadataValue.md(markdown_table(
                ["variant", "questions", "mean task accuracy %", "unparseable", "run"], lines))})

    @asset(group_name="evaluation", deps=[evaluations, raw_videos, proxy_tasks, *adapter_assets],
           partitions_def=BASE_MODELS, op_tags=cpu_pod_tags(),
           pool=RESULTS_DB_POOL)
    def benchmark_report(context: AssetExecutionContext, pipeline: PipelineConfig) -> MaterializeResult:
        """Loads the manifest, the gate's report and the model's training and evaluation outputs into
        the results database, then writes its report (data/reports/{base model}/): the benchmark
        table, every variant against Base and its parent, the regression against the previous base
        model, the chart, lineage."""
        from fragmentforge.report import build_report, markdown_table

        summary = build_report(pipeline.params(), pipeline.root, context.partition_key)
        # The averages only: the full table (a column per task, 16 now) is in the report itself,
        # and the UI shows a table that wide clipped
        header, rows = summary["table_header"], summary["table"]
        keep = [0] + [i for i, name in enumerate(header) if name.endswith("Avg")]
        metadata = {"html": MetadataValue.path(summary["html"]), "markdown": MetadataValue.path(summary["markdown"]),
                    "table": MetadataValue.md(markdown_table([header[i] for i in keep],
                                                             [[row[i] for i in keep] for row in rows])),
                    "chart": MetadataValue.md("![chart](data:image/png;base64,"
                                              f"{base64.b64encode(Path(summary['chart']).read_bytes()).decode()})")}
        reg = summary["regression"]
        if reg:
            metadata["regression_against"] = reg["against"]
            metadata["regression"] = MetadataValue.md(markdown_table(reg["header"], reg["rows"]))
        else:
            metadata["regression_against"] = summary["previous"] or "none (first base model)"
        digest = hashlib.sha256(Path(summary["markdown"]).read_bytes()).hexdigest()[:20]
        return MaterializeResult(data_version=DataVersion(digest), metadata=metadata)

    return [evaluations, benchmark_report]
