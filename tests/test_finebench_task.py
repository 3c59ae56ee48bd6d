"""The FineBench task end to end in small: frame windows around keyframe seconds, the generator,
the gate's re-derivation from AVA rows, the export, FineAgent's prompts and the breakdown views."""
import json
import random
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fragmentforge.config import load_params
from fragmentforge.evaluate.fineagent import HELPERS, helped, helper_questions
from fragmentforge.evaluate.questions import from_record
from fragmentforge.motion.extract import _label_windows, label_set_id
from fragmentforge.sources.ava import ground_truth
from fragmentforge.formats import ava
from fragmentforge.synthetic.people.annotations import action_list, ava_rows, keyframe_seconds
from fragmentforge.synthetic.people.world import PAIR_SCENES, people_clip
from fragmentforge.synthetic.world import clip_rng
from fragmentforge.tasks import finebench_questions as fb
from fragmentforge.tasks.context import KeySet, VideoContext
from fragmentforge.tasks.generators import finebench
from fragmentforge.tasks.record import place_answers
from fragmentforge.tasks.registry import TaskEnv
from tests.conftest import REPO

FPS = 12


def test_label_windows_are_centred_on_the_labelled_frame_or_not_made():
    times = np.arange(30) / FPS
    windows = dict(_label_windows(times, (1.0, 0.34, 2.1, 0.2, 2.4, 9.0), frames=5, stride=2))
    assert windows[1.0] == [8, 10, 12, 14, 16]  # frame 12 is 1.0 s, in the middle
    assert windows[0.34] == [0, 2, 4, 6, 8] and windows[2.1] == [21, 23, 25, 27, 29]  # just fit
    assert set(windows) == {1.0, 0.34, 2.1}  # 0.2 s and 2.4 s would leave the clip; 9 s is after it


class Media:
    """What the gate's RecordMedia gives a check, from memory."""

    def __init__(self, truths: dict):
        self.truths = truths

    def truth(self, video_id):
        return self.truths.get(video_id)

    def fps(self, video_id):
        return FPS

    @staticmethod
    def positions(record):
        return [int(f.rsplit("/p", 1)[1][:-4]) / 2 for f in record.frames]


def _context(video_id: str, truth: dict, n_frames: int, split: str = "test") -> VideoContext:
    times = np.arange(n_frames) / FPS
    sets = [KeySet(label_set_id(second), "normal", "label", len(picks), tuple(float(i) for i in picks),
                   tuple(f"f/{video_id}/p{2 * i:06d}.jpg" for i in picks))
            for second, picks in _label_windows(times, tuple(k["second"] for k in truth["keyframes"]), 5, 2)]
    return VideoContext(video_id, split, None, None, [], truth, sets, {})


@pytest.fixture(scope="module")
def world():
    """AVA ground truth (as the ava source writes it) of a few people clips, and their records."""
    actions = {a.id: a for a in action_list()}
    truths, records = {}, []
    params = load_params(REPO / "params.yaml").tasks
    for index, scene in enumerate([None, "carry", "lift", *PAIR_SCENES]):
        _, full = people_clip(f"v{index}", clip_rng(5, index), 128, 128, FPS, 30, scene)
        rows = ava_rows(full, f"v{index}", keyframe_seconds(full, 2))
        truths[f"v{index}"] = json.loads(json.dumps(ground_truth(f"v{index}", rows, actions)))
        ctx = _context(f"v{index}", truths[f"v{index}"], 30)
        env = TaskEnv(params, finebench.Options(), random.Random(index), [])
        records += [(ctx.video_id, d) for d in finebench.generate(ctx, env)]
    placed = place_answers("finebench", "finebench", "test", records, 1, "text")
    return truths, [_Row(r) for r in placed]


class _Row:
    def __init__(self, record: dict):
        self.__dict__.update(record)
        self.record = record


def test_every_question_holds_against_its_keyframe_rows(world):
    truths, rows = world
    assert len(rows) > 40
    assert {json.loads(r.meta)["category"] for r in rows} == {"person movement", "object manipulation",
                                                              "person interaction"}
    media = Media(truths)
    for r in rows:
        assert finebench.check(r, media) is True, r.question
        category, expression, frames, middle = fb.parse_question(r.question)
        assert (frames, middle) == (5, 3) and category == json.loads(r.meta)["category"]
        second = json.loads(r.meta)["second"]
        assert media.positions(r)[2] == round(second * FPS)  # the middle frame is the keyframe


def test_the_check_fails_when_the_rows_disagree(world):
    truths, rows = world
    media = Media(truths)
    r = next(x for x in rows if json.loads(x.meta)["kind"] == "single")
    wrong = next(o for o in r.options if o != r.answer_text)
    assert finebench.check(replace_row(r, answer_text=wrong), media) is False
    category, expression, _, _ = fb.parse_question(r.question)
    nobody = r.question.replace(expression, "the seventh person from the left")
    assert finebench.check(replace_row(r, question=nobody), media) is False
    shifted = [f.replace("/p0", "/p1") for f in r.frames]  # frames centred on no keyframe
    assert finebench.check(replace_row(r, frames=shifted), media) is False
    # a distractor that is true of the person: the gate refuses it
    keyframe = next(k for k in truths[r.video_id]["keyframes"] if k["second"] == json.loads(r.meta)["second"])
    person = next(p for p in keyframe["people"] if fb.resolve(expression, {q["person_id"]: q["box"]
                                                                          for q in keyframe["people"]},
                                                              fb.MIN_GAP_NORMALISED) == [p["person_id"]])
    other = next(o for o in r.options if o != r.answer_text)
    name = next(a.name for a in fb.VOCABULARY if fb.option_text(a) == other)
    doctored = json.loads(json.dumps(truths))
    for k in doctored[r.video_id]["keyframes"]:
        if k["second"] == keyframe["second"]:
            next(p for p in k["people"] if p["person_id"] == person["person_id"])["actions"].append({"name": name})
    assert fb.recheck(r.question, r.answer_text, list(r.options), next(
        k for k in doctored[r.video_id]["keyframes"] if k["second"] == keyframe["second"])["people"]) is not None


def replace_row(row, **changes):
    return _Row({**row.record, **changes})


def test_finebench_train_records_go_to_the_supervised_dataset(tmp_path):
    from fragmentforge.tasks.export import export_llamafactory, roles

    assert roles()["sft_train"] == (("actionart", "finebench", "ma_bench", "scene"), "train")
    record = {"qa_id": "finebench:v:0", "task": "finebench", "level": "finebench", "split": "train", "video_id": "v",
              "variant": "normal", "frames": ["a.jpg"], "video": None, "question": "Q?", "options": ["x", "y"],
              "answer": "A", "answer_text": "x", "meta": "{}", "answer_format": "text", "media": "frames"}
    counts = export_llamafactory([record, {**record, "qa_id": "finebench:v:1", "split": "test"}], tmp_path)
    assert counts == {"benchmark_test": 1, "sft_train": 1}


def test_fineagent_puts_the_box_and_the_caption_before_the_question(world):
    truths, rows = world
    record = rows[0].record
    question = from_record(record)
    settings = helper_questions([question], truths, HELPERS)
    assert [h for h, _ in settings] == list(HELPERS)
    both = dict(settings)["localizer+descriptor"]
    content = both.row["messages"][0]["content"]
    _, expression, _, _ = fb.parse_question(record["question"])
    assert content.startswith("<image>" * 5 + f"In the middle frame, {expression} is inside the box from (")
    assert "Frame description (written from the annotations, not by a model): " in content
    assert content.index("Frame description") < content.index(record["question"])
    assert both.options == question.options and both.answer == question.answer and both.row["images"] == \
        question.row["images"]
    plain = helped(question, "none", None, None)
    assert plain.row == question.row


def test_breakdown_views_and_the_report_tables(tmp_path, world):
    import duckdb

    from fragmentforge.evaluate import finebench_report as fbr
    from fragmentforge.evaluate.report_tables import Model
    from fragmentforge.results_db import load_finebench, record_evaluation

    _, rows = world
    qa = tmp_path / "qa.parquet"
    from fragmentforge.tasks.record import QA_SCHEMA

    pq.write_table(pa.Table.from_pylist([r.record for r in rows], schema=QA_SCHEMA), qa)
    run = {"run_id": "r1", "base_model": "b", "base_hash": "h", "variant": "base", "adapter_hash": None,
           "dataset_hash": "d", "params_hash": "p", "code_version": "c", "device": "cpu", "scoring": "likelihood",
           "questions": len(rows), "started_at": "2026-01-01T00:00:00", "ended_at": "2026-01-01T00:00:01"}
    plain = [{"run_id": "r1", "qa_id": r.qa_id, "task": "finebench", "level": "finebench", "n": 5,
              "video_id": r.video_id, "answer": r.answer, "prediction": "A", "correct": r.answer == "A",
              "option_scores": None, "parse_status": "scored", "reply": None} for r in rows]
    helped_rows = [{**p, "helpers": "localizer", "correct": True} for p in plain]
    from fragmentforge.evaluate.evaluations import FINEAGENT_SCHEMA

    with duckdb.connect(":memory:") as conn:
        record_evaluation(conn, run, plain, [], pa.Table.from_pylist(helped_rows, schema=FINEAGENT_SCHEMA))
        load_finebench(conn, qa)
        overall = dict(conn.execute("select helpers, accuracy from finebench_breakdown where dimension = 'all'"
                                    ).fetchall())
        assert overall["localizer"] == 1.0
        assert overall["none"] == pytest.approx(sum(r.answer == "A" for r in rows) / len(rows))
        dims = {d for (d,) in conn.execute("select distinct dimension from finebench_breakdown").fetchall()}
        assert dims == {"category", "kind", "persons", "all"}
        models = [Model("Base", "base", None)]
        by_variant = fbr.answers(conn, {"base": run})
        header, table = fbr.breakdown_table(models, by_variant, 200, 0)
        assert header[0] == "model" and header[-1] == f"all (n={len(rows)})"
        assert table[-1][0] == "random" and set(table[-1][1:]) == {"25.0"}
        header, table = fbr.fineagent_table(models, by_variant, 200, 0)
        assert [row[1] for row in table] == ["plain", "+Localizer"]
        assert table[1][-1].startswith("Δ +")  # every helped answer is right: the change is positive
