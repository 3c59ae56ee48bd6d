"""Evaluation domain: the benchmark for every base model and variant, and the report."""
from __future__ import annotations

import base64
from pathlib import Path

from dagster import AssetsDefinition, MaterializeResult, MetadataValue, asset

from dagster_project.pods import TORCH_STEP, cpu_pod_tags, gpu_pod_tags
from dagster_project.resources import PipelineConfig
from stages.evaluate_models import evaluate_base_model
from stages.report import build_report


def evaluation_assets(adapter_assets: list[AssetsDefinition]) -> list[AssetsDefinition]:
    @asset(group_name="evaluation", deps=adapter_assets, op_tags={**gpu_pod_tags(), **TORCH_STEP})
    def evaluations(pipeline: PipelineConfig) -> MaterializeResult:
        """Every benchmark question through each base model and each of its adapters (plain transformers + peft)."""
        params = pipeline.params()
        lines = []
        for base in params.models.base_models:
            for summary in evaluate_base_model(params, pipeline.root, base):
                overall = [m for m in summary["metrics"] if m["n"] is None]
                mean = sum(m["accuracy"] for m in overall) / max(len(overall), 1)
                unparseable = sum(m["unparseable"] for m in overall)
                lines.append(f"| {base} | {summary['run']['variant']} | {summary['run']['questions']} | "
                             f"{100 * mean:.1f} | {unparseable} | `{summary['run']['run_id']}` |")
        return MaterializeResult(metadata={"runs": MetadataValue.md(
            "| base | variant | questions | mean task accuracy % | unparseable | run |\n|---|---|---|---|---|---|\n"
            + "\n".join(lines))})

    @asset(group_name="evaluation", deps=[evaluations], op_tags=cpu_pod_tags())
    def benchmark_report(pipeline: PipelineConfig) -> MaterializeResult:
        """The FineVidBench tables, the four-way comparison and charts (data/reports)."""
        summary = build_report(pipeline.params(), pipeline.root)
        metadata = {"html": MetadataValue.path(summary["html"]), "markdown": MetadataValue.path(summary["markdown"])}
        for base, info in summary["bases"].items():
            header, rows = info["table_header"], info["table"]
            table = "| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n" + "\n".join(
                "| " + " | ".join(str(c) for c in row) + " |" for row in rows)
            metadata[f"{base}_table"] = MetadataValue.md(table)
            chart = Path(summary["html"]).parent / f"chart_{base}.png"
            metadata[f"{base}_chart"] = MetadataValue.md(
                f"![chart](data:image/png;base64,{base64.b64encode(chart.read_bytes()).decode()})")
        return MaterializeResult(metadata=metadata)

    return [evaluations, benchmark_report]
