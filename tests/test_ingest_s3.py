"""Ingestion from an s3:// prefix, against a real S3 API server on loopback (moto)."""

import boto3
import pyarrow.parquet as pq

from fragmentforge.config import IngestParams, SourceSpec, SyntheticParams
from fragmentforge.ingest import ingest
from fragmentforge.synthetic.clips import synthesize
from tests.conftest import free_port

from tests.conftest import SECRET


def test_videos_under_an_s3_prefix_are_ingested(tmp_path, s3_endpoint):
    clips = synthesize(SyntheticParams(seed=9, num_clips=2, width=64, height=64, fps=8, min_seconds=1.0,
                                       max_seconds=1.2, crf=20), tmp_path / "synthetic").out_dir / "clips"
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    client.create_bucket(Bucket="videos")
    for clip in sorted(clips.glob("*.mp4")):
        client.upload_file(str(clip), "videos", f"batch1/{clip.name}")
    client.put_object(Bucket="videos", Key="batch1/broken.mp4", Body=b"\x00" * 512)
    client.put_object(Bucket="videos", Key="elsewhere/skip.mp4", Body=b"x")

    source = SourceSpec.of(name="bucket", kind="s3", uri="s3://videos/batch1", pattern="*.mp4", endpoint_url=s3_endpoint)
    result = ingest(IngestParams(sources=(source,), test_ratio=0.3, progress=False), tmp_path, tmp_path, tmp_path / "raw")
    rows = {r["name"]: r for r in pq.read_table(result.manifest).to_pylist()}
    assert set(rows) == {c.name for c in clips.glob("*.mp4")} | {"broken.mp4"}
    assert rows["broken.mp4"]["status"] == "quarantined"
    for name, row in rows.items():
        assert row["uri"] == f"s3://videos/batch1/{name}"
        if name != "broken.mp4":
            assert row["status"] == "ok" and (tmp_path / row["path"]).is_file()


def test_unreachable_endpoint_is_a_clear_quarantined_row(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "fragmentforge")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    source = SourceSpec.of(name="bucket", kind="s3", uri="s3://videos/batch1",
                      endpoint_url=f"http://127.0.0.1:{free_port()}")
    result = ingest(IngestParams(sources=(source,), test_ratio=0.3, progress=False), tmp_path, tmp_path, tmp_path / "raw")
    (row,) = pq.read_table(result.manifest).to_pylist()
    assert row["status"] == "quarantined"
    assert "source could not be read" in row["reason"] and "127.0.0.1" in row["reason"]
    assert SECRET not in row["reason"]
