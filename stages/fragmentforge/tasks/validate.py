"""The gate in front of training: Great Expectations 1.x suites over the QA records.

Labels are re-derived here from the records alone (frame positions come from the frame
file names, not from the generator's metadata), so a generator bug cannot vouch for itself.
Each expectation carries the name of the check it belongs to; a check passes when all of
its expectations do.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fragmentforge import plugins
from fragmentforge.tasks import levels
from fragmentforge.tasks.context import frame_digest
from fragmentforge.tasks.record import COLUMNS, LETTERS, SPLITS
from fragmentforge.tasks.registry import active_generators, generator_names, load_generator

# The facts derive() adds to each record's own columns (with one `<task>_ok` per label check).
DERIVED = ("n_frames", "n_options", "one_media_form", "answer_in_options", "options_unique", "video_splits",
           "frames_missing")
_POSITION = re.compile(r"p(\d+)\.jpg$")


def label_checkers() -> dict:
    """task -> its generator's `check`, for every generator that has one."""
    modules = {name: load_generator(name) for name in generator_names()}
    return {name: m.check for name, m in modules.items() if hasattr(m, "check")}


class RecordMedia:
    """What a generator's check may look at: the record's frames, their positions in the
    source video (from the file names), whether two frames have the same bytes, and the
    video's own ground truth and frame rate as ingest recorded them (the manifest)."""

    def __init__(self, root: Path, manifest: Path | None = None):
        self.root, self._digests, self._truths = root, {}, {}
        self._videos = {}
        if manifest is not None and manifest.is_file():
            import pyarrow.parquet as pq

            self._videos = {r["video_id"]: r for r in pq.read_table(
                manifest, columns=["video_id", "status", "fps", "ground_truth"]).to_pylist() if r["status"] == "ok"}

    def fps(self, video_id: str):
        return (self._videos.get(video_id) or {}).get("fps")

    def truth(self, video_id: str):
        """The video's ground truth file (for AVA-labelled videos, its rows by keyframe), or None."""
        if video_id not in self._truths:
            path = (self._videos.get(video_id) or {}).get("ground_truth")
            self._truths[video_id] = json.loads((self.root / path).read_text()) if path else None
        return self._truths[video_id]

    @staticmethod
    def frames(record) -> list:
        return list(record.frames) if record.frames is not None else []

    def positions(self, record) -> list:
        return [_position(f) for f in self.frames(record)]

    def digest(self, frame: str):
        if frame not in self._digests:
            path = self.root / frame
            self._digests[frame] = frame_digest(path) if path.is_file() else None
        return self._digests[frame]

    def same_bytes(self, a: str, b: str) -> bool:
        return a == b or self.digest(a) == self.digest(b)


@dataclass(frozen=True)
class Outcome:
    check: str
    expectation: str
    column: str
    success: bool
    unexpected_count: int
    observed: str  # JSON: GX's result summary (observed value or a few unexpected values)


@dataclass(frozen=True)
class GateResult:
    outcomes: list
    records: int

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    def by_check(self) -> dict:
        names = dict.fromkeys(o.check for o in self.outcomes)
        return {c: [o for o in self.outcomes if o.check == c] for c in names}

    def failures(self) -> list:
        return [o for o in self.outcomes if not o.success]


def _position(path: str):
    match = _POSITION.search(path)
    return int(match.group(1)) / 2 if match else None


def derive(records: pd.DataFrame, root: Path, checkers: dict, manifest: Path | None = None) -> pd.DataFrame:
    """One scalar row per record: the record's own columns (lists as JSON) and the facts
    the expectations test, the generators' own label checks among them (`<task>_ok`)."""
    media = RecordMedia(root, manifest)
    splits_per_video = records.groupby("video_id")["split"].nunique()
    rows = []
    for r in records.itertuples(index=False):
        options = list(r.options) if r.options is not None else []
        frames = media.frames(r)
        index = LETTERS.find(r.answer) if isinstance(r.answer, str) and len(r.answer) == 1 else -1
        missing = sum(1 for f in frames if media.digest(f) is None)
        has_video = bool(isinstance(r.video, str) and r.video)
        if has_video:
            missing += 0 if (root / r.video).is_file() else 1
        row = {
            **{c: getattr(r, c) for c in COLUMNS if c not in ("frames", "options")},
            "frames": json.dumps(frames), "options": json.dumps(options),
            "n_frames": len(frames), "n_options": len(options),
            "one_media_form": (len(frames) > 0) != has_video,
            "answer_in_options": 0 <= index < len(options) and options[index] == r.answer_text,
            "options_unique": len(set(options)) == len(options),
            "video_splits": int(splits_per_video[r.video_id]), "frames_missing": missing,
        }
        for task, label_check in checkers.items():
            row[f"{task}_ok"] = label_check(r, media) if r.task == task else None
        rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS) + list(DERIVED) + [f"{t}_ok" for t in checkers])


def letter_shares(records: pd.DataFrame) -> pd.DataFrame:
    """Share of each answer letter per task, against uniform over that task's option count."""
    rows = []
    for task, group in records.groupby("task"):
        k = int(group["options"].map(len).max())
        counts = group["answer"].value_counts()
        for letter in LETTERS[:k]:
            share = float(counts.get(letter, 0)) / len(group)
            rows.append({"task": task, "letter": letter, "share": share, "deviation": share - 1.0 / k})
    return pd.DataFrame(rows, columns=["task", "letter", "share", "deviation"])


def task_counts(records: pd.DataFrame, params) -> pd.DataFrame:
    default = {"train": params.min_per_task_train, "test": params.min_per_task_test}
    counts = records.groupby(["task", "split"]).size()

    def minimum(generator, split: str) -> int:
        own = getattr(generator.options, f"min_{split}")
        return default[split] if own is None else own

    return pd.DataFrame([{"task": g.name, "split": s, "n": int(counts.get((g.name, s), 0)), "minimum": minimum(g, s)}
                         for g in active_generators(params) for s in SPLITS])


def _suites(params, checkers: dict):
    import great_expectations as gx

    E = gx.expectations
    tasks = generator_names()
    qa = [
        ("schema", E.ExpectTableColumnsToMatchSet(
            column_set=list(COLUMNS) + list(DERIVED) + [f"{t}_ok" for t in checkers], exact_match=True)),
        *[("schema", E.ExpectColumnValuesToNotBeNull(column=c)) for c in COLUMNS if c != "video"],
        ("schema", E.ExpectColumnValuesToBeUnique(column="qa_id")),
        ("schema", E.ExpectColumnValuesToBeInSet(column="task", value_set=tasks)),
        ("schema", E.ExpectColumnValuesToBeInSet(column="level", value_set=plugins.names(levels))),
        ("schema", E.ExpectColumnValuesToBeInSet(column="split", value_set=list(SPLITS))),
        ("schema", E.ExpectColumnValuesToBeInSet(column="media", value_set=["frames", "video"])),
        ("schema", E.ExpectColumnValuesToMatchRegex(column="answer", regex=r"^[A-J]$")),
        ("schema", E.ExpectColumnValuesToBeJsonParseable(column="meta")),
        ("schema", E.ExpectColumnValuesToBeInTypeList(column="question", type_list=["str"])),
        ("schema", E.ExpectColumnValueLengthsToBeBetween(column="question", min_value=5)),
        ("schema", E.ExpectColumnValuesToBeBetween(column="n_options", min_value=2, max_value=len(LETTERS))),
        ("schema", E.ExpectColumnValuesToBeInSet(column="one_media_form", value_set=[True])),
        ("answer_in_options", E.ExpectColumnValuesToBeInSet(column="answer_in_options", value_set=[True])),
        ("options_unique", E.ExpectColumnValuesToBeInSet(column="options_unique", value_set=[True])),
        *[(f"{t}_answers", E.ExpectColumnValuesToBeInSet(column=f"{t}_ok", value_set=[True])) for t in checkers],
        ("split_leakage", E.ExpectColumnValuesToBeBetween(column="video_splits", min_value=1, max_value=1)),
        ("frames_exist", E.ExpectColumnValuesToBeBetween(column="frames_missing", min_value=0, max_value=0)),
    ]
    balance = [("letter_balance", E.ExpectColumnValuesToBeBetween(
        column="deviation", min_value=-params.letter_tolerance, max_value=params.letter_tolerance))]
    counts = [("task_counts", E.ExpectColumnPairValuesAToBeGreaterThanB(column_A="n", column_B="minimum",
                                                                         or_equal=True)),
              ("task_counts", E.ExpectTableRowCountToBeBetween(min_value=1))]
    described = [("description_spans", E.ExpectColumnValuesToBeInSet(column="span_problems", value_set=[""])),
                 ("description_spans", E.ExpectColumnValuesToBeInSet(column="spans_match_events", value_set=[True])),
                 ("frames_exist", E.ExpectColumnValuesToBeBetween(column="frames_missing", min_value=0, max_value=0))]
    return {"qa_records": qa, "letter_balance": balance, "task_counts": counts, "descriptions": described}


def run_gate(records: pd.DataFrame, root: Path, params, manifest: Path | None = None,
             descriptions: list[dict] = ()) -> GateResult:
    """`manifest`: ingest's, for checks that re-read a video's ground truth (FineBench's);
    `descriptions`: the description records (descriptions/records.py), checked for their spans."""
    import great_expectations as gx

    from fragmentforge.descriptions.records import gate_facts

    checkers = label_checkers()
    frames = {"qa_records": derive(records, root, checkers, manifest), "letter_balance": letter_shares(records),
              "task_counts": task_counts(records, params),
              "descriptions": pd.DataFrame(gate_facts(list(descriptions), root),
                                           columns=["desc_id", "split", "span_problems", "spans_match_events",
                                                    "frames_missing"])}
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("proxy_tasks")
    outcomes = []
    for name, expectations in _suites(params, checkers).items():
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("all")
        suite = context.suites.add(gx.ExpectationSuite(name=name))
        for check, expectation in expectations:
            expectation.meta = {"check": check}
            suite.add_expectation(expectation)
        definition = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
        result = definition.run(batch_parameters={"dataframe": frames[name]})
        for outcome in result.results:
            kwargs = outcome.expectation_config.kwargs
            detail = outcome.result or {}
            observed = {k: detail[k] for k in ("observed_value", "partial_unexpected_list", "unexpected_percent")
                        if k in detail}
            outcomes.append(Outcome(
                check=outcome.expectation_config.meta["check"],
                expectation=outcome.expectation_config.type, column=str(kwargs.get("column") or kwargs.get("column_A") or ""),
                success=bool(outcome.success), unexpected_count=int(detail.get("unexpected_count") or 0),
                observed=json.dumps(observed, default=str)[:2000]))
    return GateResult(outcomes, len(records))

