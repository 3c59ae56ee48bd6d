"""Ablations domain, run on demand (`make run` leaves it alone): each arm of each ablation table is a
partition of `ablation_arm`, one dimension the base model and the other the arm's DVC experiment
(<table>-<arm>). A partition runs its arm through the same DVC experiment machinery as
`make ablations`, and `ablation_report` writes the report from every collected arm."""

import hashlib
import json
import math

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    Config,
    DataVersion,
    Failure,
    MaterializeResult,
    MetadataValue,
    MultiPartitionsDefinition,
    StaticPartitionsDefinition,
    asset,
)

from dagster_project.partitions import ABLATIONS_POOL, BASE_MODELS
from dagster_project.resources import PipelineConfig
from fragmentforge.ablations.spec import TABLES, all_ablations

ABLATIONS_GROUP = "ablations"


def runnable_experiments() -> dict:
    """{experiment name: (ablation, its arms)} over every table not waiting for a feature; arms with
    the same overrides share one experiment (each measuring its own variant)."""
    found = {}
    for ablation in all_ablations(TABLES):
        for arm in () if ablation.waiting_for else ablation.arms:
            found.setdefault(ablation.experiment(arm), (ablation, []))[1].append(arm)
    return found


def arm_partitions() -> MultiPartitionsDefinition:
    # keys read "<base model>|<experiment>": Dagster orders the dimensions by name
    return MultiPartitionsDefinition({"base_model": BASE_MODELS,
                                      "experiment": StaticPartitionsDefinition(list(runnable_experiments()))})


class ArmConfig(Config):
    force: bool = False  # rerun the arm even when its experiment exists on this commit
    time_limit_s: float = 3600.0


def ablation_assets(evaluations: AssetsDefinition) -> list[AssetsDefinition]:
    experiments_by_name = runnable_experiments()

    # After evaluations: an arm checks out what the default run wrote and reruns only what its overrides reach.
    @asset(group_name=ABLATIONS_GROUP, partitions_def=arm_partitions(), deps=[evaluations], pool=ABLATIONS_POOL)
    def ablation_arm(context: AssetExecutionContext, config: ArmConfig, pipeline: PipelineConfig) -> MaterializeResult:
        """One arm of an ablation table for one base model: a DVC experiment with the arm's params
        overrides (reused when it exists on this commit), its evaluation collected into the ablations database."""
        from fragmentforge.ablations import collect, experiments, report
        from fragmentforge.layout import ABLATIONS_DB
        from fragmentforge.report import markdown_table

        keys = context.partition_key.keys_by_dimension
        base, name = keys["base_model"], keys["experiment"]
        ablation, arms = experiments_by_name[name]
        params, root = pipeline.params(), pipeline.root
        if base not in params.models.base_models:  # the experiment runs the DAG for these only
            raise Failure(description=f"base model {base!r} is not in models.base_models of {pipeline.params_file}")
        try:
            runs = experiments.run_arms(root, params, [(ablation, arm) for arm in arms], config.force,
                                        config.time_limit_s)
        except experiments.ExperimentError as exc:
            raise Failure(description=str(exc)) from None
        run = runs.get(name)  # None: the experiment on this commit was reused
        conn = collect.connect(root / params.paths.ablations_dir / ABLATIONS_DB)
        try:
            rev, cache = experiments.existing(root).get(name), collect.cache_dir(root)
            for arm in arms:
                collect.collect_arm(conn, root, ablation, arm, base, rev, run, cache)
            _, _, cells, rows = report.section(conn, params, ablation, base)
        finally:
            conn.close()
        if run and run.failure:
            raise Failure(description=f"{name}: {run.failure}", metadata={"experiment": name})
        context.log.info(f"{name}: " + ("reused its experiment" if run is None else
                                        f"ran {', '.join(run.stages_run) or 'nothing'} in {run.seconds:.0f} s"))
        header, table = report.cells_table(ablation, cells)
        mine = [i for i, c in enumerate(cells) if c.arm in {arm.name for arm in arms}]
        row = rows[arms[0].name]
        ran = json.loads(row["stages_run"]) if row["stages_run"] else None
        seconds = row["seconds"] if row["seconds"] is not None and not math.isnan(row["seconds"]) else None
        headline = "Avg %" if ablation.metric == "accuracy" else "F1 %"
        return MaterializeResult(data_version=DataVersion(row["exp_rev"]), metadata={
            "experiment": name,
            "exp_rev": row["exp_rev"],
            "reused": run is None,
            "variant": ", ".join(dict.fromkeys(ablation.variant_of(arm) for arm in arms)),
            **{f"{cells[i].arm}: {headline}": round(100 * cells[i].headline.value, 2) for i in mine},
            "seconds": round(seconds, 1) if seconds is not None else "unknown",
            "stages_run": "unknown" if ran is None else (", ".join(ran) or "none (all outputs from the cache)"),
            "cells": MetadataValue.md(markdown_table(header, [table[i] for i in mine])),
        })

    @asset(group_name=ABLATIONS_GROUP, deps=[ablation_arm], pool=ABLATIONS_POOL)
    def ablation_report(pipeline: PipelineConfig) -> MaterializeResult:
        """The ablation report (data/reports/ablations/): per table and base model, every collected
        arm's cells with 95% intervals and the paired difference from the reference arm."""
        from fragmentforge.ablations import report
        from fragmentforge.layout import REPORT_HTML, REPORT_MD
        from fragmentforge.report import markdown_table

        folder, sections = report.rewrite(pipeline.root, pipeline.params(), TABLES)
        markdown = folder / REPORT_MD
        metadata = {"markdown": MetadataValue.path(str(markdown)), "html": MetadataValue.path(str(folder / REPORT_HTML))}
        for ablation, base, cells, _ in sections:
            metadata[f"{ablation.name} ({base})"] = MetadataValue.md(markdown_table(*report.cells_table(ablation, cells)))
        digest = hashlib.sha256(markdown.read_bytes()).hexdigest()[:20]
        return MaterializeResult(data_version=DataVersion(digest), metadata=metadata)

    return [ablation_arm, ablation_report]
