"""Reference descriptions of real videos from a manifest: bad lines quarantined with their reasons,
described videos carrying their events into ingest's ground truth, a clip set, and records whose
grounded spans put the manifest's own sentences on the frames shown."""
import json
import shutil

import pyarrow.parquet as pq

from fragmentforge.config import IngestParams, KeyframeParams, SourceSpec, SyntheticParams
from fragmentforge.descriptions import judging
from fragmentforge.descriptions.records import description_rows, record_events
from fragmentforge.ingest import ingest
from fragmentforge.motion.extract import clip_picks
from fragmentforge.synthetic.clips import synthesize
from fragmentforge.tasks.context import KeySet, VideoContext

GOOD = {"video": "a.mp4", "events": [{"text": "A square slides to the right", "start_s": 0.0, "end_s": 0.5},
                                     {"text": "It stops.", "start_s": 0.5, "end_s": 1.0}]}
BAD_LINES = {
    "not JSON": "{not json",
    "no video": json.dumps({"events": GOOD["events"]}),
    "no events": json.dumps({"video": "b.mp4", "events": []}),
    "event 1 needs numeric start_s and end_s": json.dumps({"video": "b.mp4", "events": [{"text": "Something."}]}),
    "event 1 runs from 2.0 s to 1.0 s": json.dumps({"video": "b.mp4", "events": [
        {"text": "Backwards.", "start_s": 2.0, "end_s": 1.0}]}),
    "event 2 has no text": json.dumps({"video": "b.mp4", "events": [GOOD["events"][0], {"start_s": 0, "end_s": 1}]}),
    "described twice": json.dumps({**GOOD}),
    "'gone.mp4', which source 'clips' does not have": json.dumps({**GOOD, "video": "gone.mp4"}),
}


def test_a_manifest_describes_its_videos_and_quarantines_each_bad_line_with_its_reason(tmp_path):
    clips = synthesize(SyntheticParams(seed=3, num_clips=2, width=64, height=64, fps=8, min_seconds=1.0,
                                       max_seconds=1.2, crf=20), tmp_path / "synthetic").out_dir / "clips"
    folder = tmp_path / "videos"
    folder.mkdir()
    for name, clip in zip(("a.mp4", "b.mp4"), sorted(clips.glob("*.mp4"))):
        shutil.copy(clip, folder / name)
    manifest = tmp_path / "descriptions.jsonl"
    manifest.write_text("\n".join([json.dumps(GOOD), *BAD_LINES.values()]) + "\n")
    params = IngestParams(sources=(SourceSpec.of(name="clips", kind="local_folder", path=str(folder), pattern="*.mp4",
                                                 descriptions=str(manifest)),),
                          test_ratio=0.5, progress=False)
    result = ingest(params, tmp_path, tmp_path, tmp_path / "raw")
    rows = pq.read_table(result.manifest).to_pylist()
    videos = {r["input_id"]: r for r in rows if r["status"] == "ok"}
    assert set(videos) == {"clips:a.mp4", "clips:b.mp4"}  # a bad line never stops the batch
    truth = json.loads((tmp_path / videos["clips:a.mp4"]["ground_truth"]).read_text())
    assert truth["description"]["events"][0] == {"text": "A square slides to the right.", "start_s": 0.0, "end_s": 0.5}
    assert videos["clips:b.mp4"]["ground_truth"] is None
    reasons = [r["reason"] for r in rows if r["status"] == "quarantined"]
    assert len(reasons) == len(BAD_LINES)
    for expected in BAD_LINES:
        assert sum(expected in reason for reason in reasons) == 1, (expected, reasons)


def test_a_described_video_gets_a_bounded_clip_set_and_a_labelled_one_every_frame():
    p = KeyframeParams(set_sizes=(3,), train_sets_per_size=1, labelled_clip_stride=1, described_clip_frames=32)
    assert clip_picks(100, labelled=True, described=False, p=p) == list(range(100))
    picks = clip_picks(100, labelled=False, described=True, p=p)
    assert len(picks) == 32 and picks[0] == 0 and picks[-1] == 99 and picks == sorted(set(picks))
    assert clip_picks(20, labelled=False, described=True, p=p) == list(range(20))
    assert clip_picks(100, labelled=False, described=False, p=p) == []


def test_records_of_a_described_video_ground_the_manifests_sentences_and_only_a_model_judge_scores_them():
    from fragmentforge.config import load_params
    from fragmentforge.motion.extract import CLIP_SET_ID
    from tests.conftest import REPO

    settings = load_params(REPO / "params.yaml").tasks.descriptions
    times = [k / 8 for k in range(16)]  # two seconds at 8 fps, the events at 0-0.5 s and 0.5-1 s
    clip = KeySet(set_id=CLIP_SET_ID, variant="normal", mode="clip", n=16, positions=tuple(range(16)),
                  paths=tuple(f"frames/v/p{k:06d}.jpg" for k in range(16)), times=tuple(times))
    truth = {"description": {"manifest": "descriptions.jsonl", "events": [
        {**e, "text": e["text"].rstrip(".") + "."} for e in GOOD["events"]]}}
    ctx = VideoContext(video_id="v", split="test", label=None, template=None, placeholders=[], truth=truth,
                       sets=[clip], frame_hash={})
    (row,) = description_rows([ctx], settings, seed=1)
    assert row["reference"] == "A square slides to the right. It stops."
    # eight of the sixteen frames shown, at 0, 0.25, 0.5, 0.75, 1.125 ... s: 1-3 inside 0-0.5 s, 3-4 inside 0.5-1 s
    assert row["times"][:5] == [0.0, 0.25, 0.5, 0.75, 1.125]
    assert row["grounded_reference"] == "<frame: 1-3> A square slides to the right. <frame: 3-4> It stops."
    events = record_events(row)
    item = judging.item_for("x", row["reference"], row["reference"], events)
    assert item.world_events == () and item.reference_events == ("A square slides to the right.", "It stops.")
    (scored,), _ = judging.score([item], load_params(REPO / "params.yaml").judge, cache_dir=None)
    assert scored.dq is None and "no event list from the world" in scored.reason


def test_a_manifests_events_in_any_order_are_grounded_in_order_and_an_unreadable_manifest_spares_the_videos(tmp_path):
    from fragmentforge.descriptions import manifest
    from fragmentforge.descriptions.events import Event, span_problems, spans
    from fragmentforge.descriptions.references import reference_events
    from fragmentforge.sources import Candidate

    truth = {"description": {"events": [{"text": "Later.", "start_s": 1.0, "end_s": 2.0},
                                        {"text": "First.", "start_s": 0.1, "end_s": 2.0},
                                        {"text": "Short.", "start_s": 0.15, "end_s": 0.25}]}}
    events = reference_events(truth)
    assert [e.text for e in events] == ["First.", "Short.", "Later."]
    found = spans(events, [0.0, 0.5, 1.0, 1.5])  # "Short." falls between frames 1 and 2, nearer 1
    assert found == [(2, 4), (2, 2), (3, 4)]
    assert span_problems(" ".join(f"<frame: {i}-{j}> x." for i, j in found), 4) == []
    assert spans([Event("", "", 0.3, 0.4, "a"), Event("", "", 0.6, 0.9, "b")], [0.0, 0.5, 1.0]) == [(2, 2), (2, 2)]

    videos = [Candidate(source="s", name=n, uri=n, local_path=tmp_path / n) for n in ("a.mp4", "b.mp4")]
    out = manifest.attach(videos, tmp_path / "missing.jsonl", "s", tmp_path / "truth")
    assert out[:2] == videos and "could not be read" in out[2].problem
