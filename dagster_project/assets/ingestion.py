"""Ingestion domain: the synthetic world and the probed, de-duplicated raw videos."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from dagster_project.resources import PipelineConfig


@asset(group_name="ingestion")
def synthetic_clips(context: AssetExecutionContext, pipeline: PipelineConfig) -> MaterializeResult:
    """Seeded synthetic clips (coloured shapes performing actions) with per-frame ground truth."""
    from fragmentforge.synthetic.clips import synthesize

    params = pipeline.params()
    summary = synthesize(params.synthetic, pipeline.path(params.paths.synthetic_dir))
    context.log.info(f"rendered {summary.clips} clips into {summary.out_dir}")
    return MaterializeResult(metadata={
        "clips": summary.clips,
        "frames": summary.frames,
        "clips_per_action": MetadataValue.json(summary.actions),
        "path": MetadataValue.path(str(summary.out_dir)),
    })


@asset(group_name="ingestion", deps=[synthetic_clips])
def raw_videos(context: AssetExecutionContext, pipeline: PipelineConfig) -> MaterializeResult:
    """Every input video probed by decoding, hashed, split, stored once; bad ones quarantined."""
    from fragmentforge.ingest import run_ingest
    from fragmentforge.report import markdown_table

    result = run_ingest(pipeline.params(), pipeline.root)  # a source that fails is recorded, not raised
    rows = [[f"`{q['input_id']}`", q["reason"].replace("|", "/")] for q in result.quarantined]
    table = markdown_table(["input", "reason"], rows) if rows else "_nothing quarantined_"
    return MaterializeResult(metadata={
        **{f"rows_{status}": count for status, count in result.counts.items()},
        "quarantined_inputs": MetadataValue.md(table),
        "manifest": MetadataValue.path(str(result.manifest)),
    })
