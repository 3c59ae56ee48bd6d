"""Proxy-task domain: QA records, the blocking Great Expectations gate, the training export.

The gate is one multi-asset check with a blocking spec per check, so a failure stops the
export (and everything training builds on it) within the same run.
"""
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
    multi_asset_check,
)

from dagster_project.assets.keyframes import keyframe_sets
from dagster_project.assets.microactions import motion_descriptors, teacher_labels
from dagster_project.resources import PipelineConfig
from fragmentforge.tasks.checks import gate_checks
from fragmentforge.tasks.registry import describe_generators


def proxy_tasks_description() -> str:
    lines = [f"- **{name}**: {text}" for name, text in describe_generators().items()]
    return "QA records (data/tasks/qa.parquet) from every task generator:\n" + "\n".join(lines)


@asset(group_name="tasks", deps=[keyframe_sets, motion_descriptors, teacher_labels], description=proxy_tasks_description())
def proxy_tasks(pipeline: PipelineConfig) -> MaterializeResult:
    from fragmentforge.report import markdown_table
    from fragmentforge.tasks.generate import run_proxy_tasks

    result = run_proxy_tasks(pipeline.params(), pipeline.root)
    table = markdown_table(["task/split", "records"], list(result.summary["per_task_split"].items()))
    return MaterializeResult(metadata={
        "records": result.summary["records"],
        "videos": MetadataValue.json(result.summary["videos"]),
        "per_task_split": MetadataValue.md(table),
        "letter_share": MetadataValue.json(result.summary["letter_share"]),
        "qa": MetadataValue.path(str(result.qa)),
    })


@multi_asset_check(specs=[AssetCheckSpec(name, asset=proxy_tasks, blocking=True, description=text)
                          for name, text in gate_checks().items()])
def task_gate(pipeline: PipelineConfig):
    """Great Expectations suites over the QA records (data/validation/tasks_gate.json)."""
    from fragmentforge.tasks.gate import validate_tasks

    gate, report = validate_tasks(pipeline.params(), pipeline.root)
    for name, outcomes in gate.by_check().items():
        failed = [o for o in outcomes if not o.success]
        yield AssetCheckResult(
            check_name=name, asset_key=proxy_tasks.key, passed=not failed, severity=AssetCheckSeverity.ERROR,
            metadata={"expectations": len(outcomes), "failed": len(failed), "records": gate.records,
                      "details": MetadataValue.md("\n".join(
                          f"- `{o.expectation}` on `{o.column}`: {o.unexpected_count} unexpected, {o.observed[:300]}"
                          for o in failed) or "_all expectations met_")})


@asset_check(asset=proxy_tasks, blocking=False,
             description="MA-Bench questions waiting for a reviewer (python -m fragmentforge.microactions.review list).")
def review_queue(pipeline: PipelineConfig) -> AssetCheckResult:
    """Fails (as a warning) only when waiting items are held back, i.e. tasks.ma_bench.admit is
    `accepted`; with `verified` the judge's verdict stands in until someone decides."""
    from fragmentforge.layout import REVIEW
    from fragmentforge.microactions.review import pending_count

    params = pipeline.params()
    counts = pending_count(pipeline.root / params.paths.tasks_dir / REVIEW, pipeline.root / params.paths.review_db)
    admit = params.tasks.ma_bench.admit
    return AssetCheckResult(passed=admit == "verified" or counts["pending"] == 0, severity=AssetCheckSeverity.WARN,
                            metadata={**counts, "admit": admit})


@asset(group_name="tasks", deps=[proxy_tasks])
def training_datasets(pipeline: PipelineConfig) -> MaterializeResult:
    """LLaMA-Factory dataset folder (dataset_info.json + sharegpt files) from validated records."""
    from fragmentforge.tasks.datasets import export_tasks

    counts = export_tasks(pipeline.params(), pipeline.root)
    return MaterializeResult(metadata={"entries": MetadataValue.json(counts), "total": sum(counts.values())})
