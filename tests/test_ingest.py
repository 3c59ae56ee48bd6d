"""Ingestion: every bad input ends as a quarantined row with its reason; good ones go on."""
import hashlib
import json
import os
import shutil
import threading

import numpy as np
import pyarrow.parquet as pq
import pytest
from PIL import Image

from fragmentforge.config import IngestParams, SourceSpec, SyntheticParams
from fragmentforge.ingest import assign_split, ingest
from fragmentforge.synthetic.clips import synthesize

TIME_LIMIT = 4.0


@pytest.fixture
def messy_folder(tmp_path):
    """Two good clips and one of every kind of bad input, plus manifests pointing around."""
    clips = synthesize(SyntheticParams(seed=5, num_clips=3, width=64, height=64, fps=8, min_seconds=1.0,
                                       max_seconds=1.2, crf=20), tmp_path / "synthetic").out_dir / "clips"
    good = sorted(clips.glob("*.mp4"))
    folder = tmp_path / "incoming"
    folder.mkdir()
    shutil.copy(good[0], folder / "good1.mp4")
    shutil.copy(good[1], folder / "good2.mp4")
    shutil.copy(good[0], folder / "copy_of_good1.mp4")
    shutil.copy(good[2], tmp_path / "outside.mp4")
    (folder / "empty.mp4").write_bytes(b"")
    data = good[1].read_bytes()
    (folder / "truncated.mp4").write_bytes(data[: len(data) // 2])
    (folder / "random.mp4").write_bytes(np.random.default_rng(0).bytes(20_000))
    (folder / "notes.txt").write_text("not a video at all\n")
    Image.new("RGB", (32, 32), (200, 30, 30)).save(folder / "still.png")
    (folder / "labels.csv").write_text("path,label\ngood2.mp4,something\n../outside.mp4,sneaky\nmissing.mp4,gone\n")
    (folder / "ssv2.json").write_text(json.dumps([
        {"id": "good1", "label": "Moving a thing", "template": "Moving [something]", "placeholders": ["a thing"]},
        {"id": "../outside", "label": "x", "template": "x", "placeholders": []},
        {"label": "entry without an id"},
        {"id": "good1", "label": "listed twice"},
    ]))
    os.mkfifo(folder / "hangs.mp4")
    return folder, good


@pytest.fixture
def stalled_writer(messy_folder):
    """Feed the FIFO the start of a real MP4, then stall: the decoder waits forever."""
    folder, good = messy_folder
    release = threading.Event()

    def feed():
        with open(folder / "hangs.mp4", "wb") as pipe:
            pipe.write(good[1].read_bytes()[:4096])
            pipe.flush()
            release.wait(120)

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    yield
    release.set()


def _params(folder, **extra):
    sources = (
        SourceSpec.of(name="local", kind="local_folder", path=str(folder), pattern="*"),
        SourceSpec.of(name="table", kind="label_manifest", manifest=str(folder / "labels.csv")),
        SourceSpec.of(name="ssv2", kind="label_manifest", manifest=str(folder / "ssv2.json")),
    )
    return IngestParams(sources=sources, test_ratio=0.3, probe_time_limit_s=TIME_LIMIT, workers=2,
                        progress=False, **extra)


def test_every_bad_input_is_quarantined_with_its_reason(tmp_path, messy_folder, stalled_writer):
    folder, _ = messy_folder
    result = ingest(_params(folder), tmp_path, tmp_path / "none", tmp_path / "raw")
    rows = {r["input_id"]: r for r in pq.read_table(result.manifest).to_pylist()}

    expected_reasons = {
        "local:empty.mp4": "empty file",
        "local:truncated.mp4": "probe failed",
        "local:random.mp4": "cannot open",
        "local:notes.txt": "cannot open",
        "local:labels.csv": "probe failed",  # the folder's glob also matches the manifests
        "local:ssv2.json": "probe failed",
        "local:still.png": "still image",
        "local:hangs.mp4": f"time limit of {TIME_LIMIT:g} s",
        "table:../outside.mp4": "escapes the source folder",
        "table:missing.mp4": "file not found",
        "ssv2:../outside.mp4": "escapes the source folder",
        "ssv2:<entry 2>": "has no 'id'",
    }
    for input_id, words in expected_reasons.items():
        assert rows[input_id]["status"] == "quarantined", (input_id, rows[input_id])
        assert words in rows[input_id]["reason"], (input_id, rows[input_id]["reason"])

    # The good clips are in, once each; every other name for the same bytes is a duplicate.
    ok = {k: r for k, r in rows.items() if r["status"] == "ok"}
    assert len(ok) == 2
    for row in ok.values():
        assert (tmp_path / row["path"]).is_file() and row["num_frames"] >= 8 and row["codec"] == "h264"
        assert row["sha256"] == hashlib.sha256((tmp_path / row["path"]).read_bytes()).hexdigest()
    dups = {k: r for k, r in rows.items() if r["status"] == "duplicate"}
    assert set(dups) == {"local:copy_of_good1.mp4", "local:good1.mp4", "table:good2.mp4", "ssv2:good1.mp4",
                         "ssv2:good1.mp4#2"} - set(ok)
    for row in dups.values():
        assert rows[row["duplicate_of"]]["status"] == "ok"
        assert row["split"] == rows[row["duplicate_of"]]["split"]
    assert rows["ssv2:good1.mp4"]["label"] == "Moving a thing"

    # Nothing is lost: readable bad inputs keep their bytes in quarantine/.
    for input_id in ("local:truncated.mp4", "local:random.mp4", "local:notes.txt"):
        assert (tmp_path / rows[input_id]["path"]).is_file()
    assert result.counts == {"ok": 2, "duplicate": len(dups), "quarantined": len(expected_reasons)}


def test_unreadable_source_becomes_a_row_not_a_crash(tmp_path):
    params = IngestParams(sources=(SourceSpec.of(name="gone", kind="local_folder", path=str(tmp_path / "nope")),),
                          test_ratio=0.5, progress=False)
    result = ingest(params, tmp_path, tmp_path, tmp_path / "raw")
    (row,) = pq.read_table(result.manifest).to_pylist()
    assert row["status"] == "quarantined" and "does not exist" in row["reason"]


def test_split_is_a_function_of_content_and_follows_the_ratio():
    digests = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(4000)]
    splits = [assign_split(d, 0.3, "salt") for d in digests]
    assert splits == [assign_split(d, 0.3, "salt") for d in digests]
    assert 0.27 < splits.count("test") / len(splits) < 0.33
    assert splits != [assign_split(d, 0.3, "other salt") for d in digests]
