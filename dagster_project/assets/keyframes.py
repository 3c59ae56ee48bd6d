"""Keyframes domain: speed variants and motion-guided keyframe sets.

Stage code is imported inside the steps (here and in every asset module), so loading the
code location (webserver, daemon, `make run`'s staleness check) stays quick."""
import base64
import io

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from dagster_project.assets.ingestion import raw_videos
from dagster_project.resources import PipelineConfig


def thumbnail_strip(root, keyframes_path, height: int = 64) -> str:
    """Markdown with one keyframe set as an inline PNG strip (the first normal test set)."""
    import numpy as np
    import pyarrow.parquet as pq
    from PIL import Image

    table = pq.read_table(keyframes_path, filters=[("mode", "=", "test"), ("variant", "=", "normal")])
    if table.num_rows == 0:
        return "_no keyframe sets_"
    rows = table.to_pylist()
    first_video = min(r["video_id"] for r in rows)
    row = max((r for r in rows if r["video_id"] == first_video), key=lambda r: r["n"])
    tiles = []
    for path in row["frame_paths"]:
        image = Image.open(root / path)
        tiles.append(np.asarray(image.resize((max(1, image.width * height // image.height), height))))
    buffer = io.BytesIO()
    Image.fromarray(np.concatenate(tiles, axis=1)).save(buffer, format="PNG")
    encoded = base64.b64encode(buffer.getvalue()).decode()
    return f"`{row['video_id']}` {row['set_id']}, frames {row['frame_positions']}\n\n![strip](data:image/png;base64,{encoded})"


@asset(group_name="keyframes", deps=[raw_videos])
def keyframe_sets(context: AssetExecutionContext, pipeline: PipelineConfig) -> MaterializeResult:
    """Slow / normal / fast / still variants of every ok video and MGSampler keyframe sets of each."""
    from fragmentforge.keyframes.node import run_keyframes
    from fragmentforge.report import markdown_table

    result = run_keyframes(pipeline.params(), pipeline.root)
    rows = [[f"`{q['video_id']}`", str(q["reason"]).replace("|", "/")] for q in result.quarantined]
    return MaterializeResult(metadata={
        "videos_ok": result.videos_ok,
        "videos_quarantined": len(result.quarantined),
        "quarantined_videos": MetadataValue.md(markdown_table(["video", "reason"], rows) if rows else "_none_"),
        "frames_written": result.frames_written,
        "sets_per_n": MetadataValue.json({str(k): v for k, v in result.sets_per_n.items()}),
        "thumbnail_strip": MetadataValue.md(thumbnail_strip(pipeline.root, result.keyframes)),
        "keyframes": MetadataValue.path(str(result.keyframes)),
    })
