"""The report's FineBench tables, from the results database's finebench_answers view: accuracy
by action category, single vs compound question and persons in the frame (FineBench Figure 3),
with a random row; and FineAgent's ablation (Base, +Localizer, +Descriptor, +both) per category.
Every cell has a 95% interval resampling whole videos."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fragmentforge.evaluate.fineagent import HELPERS, NONE
from fragmentforge.evaluate.report_tables import delta_text, pct
from fragmentforge.evaluate.stats import cluster_bootstrap
from fragmentforge.results_db import sql
from fragmentforge.synthetic.people.vocabulary import OBJECT, PERSON, POSE

CATEGORY_LABELS = {POSE: "Movement", OBJECT: "Object", PERSON: "Interaction"}
HELPER_LABELS = {NONE: "plain", "localizer": "+Localizer", "descriptor": "+Descriptor",
                 "localizer+descriptor": "+Localizer +Descriptor"}


@dataclass(frozen=True)
class Group:
    label: str
    column: str | None  # None: every question
    value: object = None


def _cell(frame: pd.DataFrame, resamples: int, seed: int) -> str:
    if frame.empty:
        return "–"
    acc, low, high = cluster_bootstrap(frame["correct"].astype(float), frame["video_id"], resamples, seed)
    return f"{pct(acc)} [{pct(low)}, {pct(high)}]"


def _select(frame: pd.DataFrame, group: Group) -> pd.DataFrame:
    return frame if group.column is None else frame[frame[group.column] == group.value]


def groups(questions: pd.DataFrame) -> list[Group]:
    """The breakdown's columns, from the questions there are: categories, kinds, persons, all."""
    out = [Group(CATEGORY_LABELS.get(c, c), "category", c) for c in CATEGORY_LABELS if c in set(questions["category"])]
    out += [Group(k, "kind", k) for k in ("single", "compound") if k in set(questions["kind"])]
    out += [Group(f"{n} {'person' if n == 1 else 'people'}", "people_in_frame", n)
            for n in sorted(set(questions["people_in_frame"]))]
    return out + [Group("all", None)]


def answers(conn, runs: dict) -> dict[str, pd.DataFrame]:
    """variant -> its FineBench answers under every helper setting (empty when it has none)."""
    return {variant: conn.execute(sql("finebench_answers"), {"run_id": run["run_id"]}).fetchdf()
            for variant, run in runs.items()}


def breakdown_table(models: list, by_variant: dict, resamples: int, seed: int):
    """(header, rows) or None: each model's plain accuracy per group, then the random row."""
    plain = {m: by_variant[m.variant] for m in models if m.variant in by_variant}
    plain = {m: a[a["helpers"] == NONE] for m, a in plain.items() if not a.empty}
    if not plain:
        return None
    reference = next(iter(plain.values()))
    cols = groups(reference)
    header = ["model"] + [f"{g.label} (n={len(_select(reference, g))})" for g in cols]
    rows = [[m.label] + [_cell(_select(a, g), resamples, seed) for g in cols] for m, a in plain.items()]
    rows.append(["random"] + [pct(float(np.mean(1.0 / _select(reference, g)["options"]))) for g in cols])
    return header, rows


def fineagent_table(models: list, by_variant: dict, resamples: int, seed: int):
    """(header, rows) or None: per model and helper setting, accuracy per category and over all,
    and the change over all against the plain prompt, paired by question."""
    present = [(m, by_variant[m.variant]) for m in models if m.variant in by_variant]
    present = [(m, a) for m, a in present if not a.empty and set(a["helpers"]) - {NONE}]
    if not present:
        return None
    reference = present[0][1][present[0][1]["helpers"] == NONE]
    cols = [g for g in groups(reference) if g.column in ("category", None)]
    header = ["model", "helpers"] + [g.label for g in cols] + ["all vs plain, paired [95% CI]"]
    rows = []
    for model, frame in present:
        base = frame[frame["helpers"] == NONE].set_index("qa_id")
        for helpers in (NONE, *HELPERS):
            part = frame[frame["helpers"] == helpers]
            if part.empty:
                continue
            delta = "–"
            if helpers != NONE:
                joined = part.set_index("qa_id").join(base["correct"], rsuffix="_plain", how="inner")
                d = joined["correct"].astype(float) - joined["correct_plain"].astype(float)
                delta = delta_text(cluster_bootstrap(d, joined["video_id"], resamples, seed))
            rows.append([model.label, HELPER_LABELS.get(helpers, helpers)]
                        + [_cell(_select(part, g), resamples, seed) for g in cols] + [delta])
    return header, rows


def write_section(doc, conn, models: list, runs: dict, ev) -> dict | None:
    """FineBench's breakdowns and FineAgent's ablation into the report `doc` (report.Doc), when the
    benchmark has FineBench questions; returns the tables, or None."""
    by_variant = answers(conn, runs)
    table = breakdown_table(models, by_variant, ev.bootstrap_resamples, ev.seed)
    if table is None:
        return None
    doc.heading("FineBench: people at a keyframe")
    doc.text("Accuracy on the FineBench questions (a named person's action at a keyframe, shown as the window "
             "of frames around it) by action category, by single vs compound question and by the number of "
             "people in the frame; 95% intervals resampling videos. The random row picks an option uniformly.")
    doc.table(*table)
    out = {"breakdown": {"header": table[0], "rows": table[1]}}
    agent = fineagent_table(models, by_variant, ev.bootstrap_resamples, ev.seed)
    if agent is not None:
        doc.heading("FineAgent: helpers at inference", level=3)
        doc.text("The same questions with FineAgent's helpers before the question: the Localizer gives the named "
                 "person's box in the middle frame, the Descriptor a caption of that frame. Both come from the "
                 "annotations here (a box source and a captioner written from the AVA rows, not models), so "
                 "they show what the models can make of correct help. Δ is paired by question.")
        doc.table(*agent)
        out["fineagent"] = {"header": agent[0], "rows": agent[1]}
    return out
