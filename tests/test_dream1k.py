"""DREAM-1K's JSONL: both layouts in, bad lines quarantined, predictions out in Tarsier's form."""
from __future__ import annotations

import json

import pytest

from fragmentforge.evaluate.dream1k import load_entries, write_predictions


def tarsier_line(idx, video, response="A man walks in. He sits down.", events=("A man walks in.", "He sits down.")):
    return {"idx": idx, "dataset": "DREAM/live_action", "vid": f"v{idx}", "video_file": video,
            "text": {"prompt": "<video>\nDescribe the video in detail.", "response": response},
            "extra_info": {"duration": 4.0, "n_subjects": 1, "n_shots": 1, "events": list(events),
                           "n_events": len(events)}}


def test_both_layouts_load_and_every_bad_line_is_quarantined(tmp_path):
    for name in ("a.mp4", "b.mp4", "c.mp4"):
        (tmp_path / name).write_bytes(b"video")
    lines = [json.dumps(tarsier_line(0, "a.mp4")),
             json.dumps({"video": "b.mp4", "prompt": "Describe it.", "reference": "A dog runs.", "events": ["A dog runs."]}),
             "{not json",
             json.dumps({"video": "c.mp4", "prompt": "Describe it."}),  # no reference
             json.dumps({"reference": "Something."}),  # no video
             json.dumps({"video": "c.mp4", "reference": "x", "events": ["fine", ""]}),
             json.dumps({"video": "c.mp4", "reference": "x", "events": "one string"}),
             json.dumps(tarsier_line(0, "c.mp4")),  # the same (dataset, idx) again
             json.dumps(tarsier_line(5, "missing.mp4")),
             json.dumps(tarsier_line(6, "c.mp4"))]
    (tmp_path / "dream.jsonl").write_text("\n".join(lines) + "\n")
    entries, problems = load_entries(tmp_path / "dream.jsonl", tmp_path)
    assert [e.video.name for e in entries] == ["a.mp4", "b.mp4", "c.mp4"]
    assert entries[0].prompt == "Describe the video in detail." and entries[0].events == ("A man walks in.", "He sits down.")
    assert entries[1].reference == "A dog runs." and entries[1].dataset == "DREAM/external"
    reasons = {p.line: p.reason for p in problems}
    assert reasons[3].startswith("not JSON")
    assert "no reference" in reasons[4] and "no video" in reasons[5]
    assert "non-empty strings" in reasons[6] and "non-empty strings" in reasons[7]
    assert "duplicate entry DREAM/live_action #0" == reasons[8]
    assert "video file not found" in reasons[9]
    assert len(entries) + len(problems) == len(lines)


def test_predictions_in_tarsiers_form_round_trip(tmp_path):
    (tmp_path / "a.mp4").write_bytes(b"video")
    (tmp_path / "b.mp4").write_bytes(b"video")
    (tmp_path / "in.jsonl").write_text(json.dumps(tarsier_line(3, "a.mp4")) + "\n" + json.dumps(
        {"video": "b.mp4", "reference": "A dog runs.", "events": ["A dog runs."]}) + "\n")
    entries, _ = load_entries(tmp_path / "in.jsonl", tmp_path)
    write_predictions(tmp_path / "out.jsonl", entries, ["A man walks.", "A cat sits."], tmp_path)
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    for line in out:  # what Tarsier's evaluation reads
        assert line["dataset"].split("/")[0] == "DREAM"
        assert set(line["text"]) == {"prompt", "response", "prediction"}
        assert all(isinstance(line["extra_info"][k], int) for k in ("n_events", "n_subjects", "n_shots"))
    assert out[0]["text"]["prediction"] == "A man walks." and out[0]["idx"] == 3 and out[0]["vid"] == "v3"
    assert out[0]["extra_info"]["duration"] == 4.0 and out[1]["extra_info"]["n_events"] == 1
    again, problems = load_entries(tmp_path / "out.jsonl", tmp_path)
    assert problems == [] and [(e.reference, e.events, e.video) for e in again] == \
        [(e.reference, e.events, e.video) for e in entries]


@pytest.mark.slow  # decodes two clips in the sampling worker and runs the tiny model (about 15 s)
def test_a_model_describes_the_entries_and_a_broken_video_is_left_out_with_its_reason(lab, tmp_path):
    from dataclasses import replace

    from fragmentforge.config import SyntheticParams, load_params
    from fragmentforge.evaluate.dream1k import run_dream1k
    from fragmentforge.synthetic.clips import synthesize
    from tests.conftest import REPO

    clips = synthesize(SyntheticParams(seed=5, num_clips=2, width=64, height=64, fps=8, min_seconds=2.0,
                                       max_seconds=2.0, crf=20), tmp_path / "synthetic").out_dir / "clips"
    videos = sorted(p.name for p in clips.glob("*.mp4"))
    (clips / "broken.mp4").write_bytes(b"\x00" * 256)
    (tmp_path / "dream.jsonl").write_text("".join(json.dumps(tarsier_line(i, v)) + "\n"
                                                  for i, v in enumerate([*videos, "broken.mp4"])))
    params = load_params(REPO / "params.yaml")
    params = replace(params, models=replace(params.models, registry=str(lab["root"] / "registry")),
                     paths=replace(params.paths, eval_cache_dir="cache", model_cache_dir="model_cache"),
                     evaluation=replace(params.evaluation, external_frames=4, description_max_new_tokens=12))
    summary = run_dream1k(params, tmp_path, tmp_path / "dream.jsonl", clips, "tiny", "base", tmp_path / "out.jsonl")
    assert summary["entries"] == 3 and summary["described"] == 2
    assert [reason.split(":")[0] for _, reason in summary["problems"]] == ["broken.mp4"]
    written = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [w["video_file"] for w in written] == videos and all(isinstance(w["text"]["prediction"], str) for w in written)
    # the ground-truth judge has no world to read for outside videos: quarantined, said why, nothing scored
    assert summary["scored"] == 0 and summary["judge"]["quarantined"] >= 2
