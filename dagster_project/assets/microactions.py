"""Micro-action and teacher domain: MA-Bench's per-body-part motion descriptors, and what the
teacher labels (MA-Bench's captions, ActionArt's proxy tasks)."""
from dagster import MaterializeResult, MetadataValue, asset

from dagster_project.assets.ingestion import raw_videos
from dagster_project.assets.keyframes import keyframe_sets
from dagster_project.resources import PipelineConfig


@asset(group_name="microactions", deps=[raw_videos])
def motion_descriptors(pipeline: PipelineConfig) -> MaterializeResult:
    """Farneback flow inside each person's keypoint body-part regions, per half-second window."""
    from fragmentforge.descriptors import run_descriptors
    from fragmentforge.report import markdown_table

    result = run_descriptors(pipeline.params(), pipeline.root)
    rows = [[f"`{q['video_id']}`", str(q["reason"]).replace("|", "/")] for q in result.quarantined]
    return MaterializeResult(metadata={
        "videos": result.videos, "rows": result.rows, "videos_quarantined": len(result.quarantined),
        "quarantined_videos": MetadataValue.md(markdown_table(["video", "reason"], rows) if rows else "_none_"),
        "descriptors": MetadataValue.path(str(result.descriptors)),
    })


@asset(group_name="microactions", deps=[motion_descriptors, keyframe_sets])
def teacher_labels(pipeline: PipelineConfig) -> MaterializeResult:
    """What the teacher labels (params `teacher`: ground truth or a server): MA-Bench's structured
    micro-action captions, ActionArt's pose descriptions, pose differences and action units."""
    from fragmentforge.teacher_labels import run_teacher_labels

    result = run_teacher_labels(pipeline.params(), pipeline.root)
    return MaterializeResult(metadata={
        "teacher": result.stats["teacher"],
        "batches": MetadataValue.json({k: v for k, v in result.stats.items() if k != "teacher"}),
        "labels": MetadataValue.path(str(result.labels)),
    })
