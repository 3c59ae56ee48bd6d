"""Ingestion domain: the synthetic world and the probed, de-duplicated raw videos."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset
from dagster_duckdb import DuckDBResource

from dagster_project.partitions import RESULTS_DB_POOL
from dagster_project.resources import PipelineConfig


@asset(group_name="ingestion")
def synthetic_clips(context: AssetExecutionContext, pipeline: PipelineConfig) -> MaterializeResult:
    """Seeded synthetic clips (coloured shapes performing actions) with per-frame ground truth."""
    from stages.synthesize import synthesize

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
    from stages.ingest import run_ingest

    result = run_ingest(pipeline.params(), pipeline.root)  # a source that fails is recorded, not raised
    rows = "\n".join(f"| `{q['input_id']}` | {q['reason'].replace('|', '/')} |" for q in result.quarantined)
    table = "| input | reason |\n|---|---|\n" + rows if rows else "_nothing quarantined_"
    return MaterializeResult(metadata={
        **{f"rows_{status}": count for status, count in result.counts.items()},
        "quarantined_inputs": MetadataValue.md(table),
        "manifest": MetadataValue.path(str(result.manifest)),
    })


@asset(group_name="results", deps=[raw_videos], pool=RESULTS_DB_POOL)
def video_manifest_table(pipeline: PipelineConfig, duckdb: DuckDBResource) -> MaterializeResult:
    """The ingest manifest loaded into the results database, for SQL over the raw videos."""
    from stages.results_db import load_manifest

    params = pipeline.params()
    with duckdb.get_connection() as conn:
        counts = load_manifest(conn, pipeline.path(params.paths.raw_dir) / "manifest.parquet")
    return MaterializeResult(metadata={"rows_by_status": MetadataValue.json(counts)})
