"""The report's ActionArt section: accuracy per sub-task tag (its Table 1 layout) for every
model, with a random row, and the proxy-task comparison of its Table 2: Base, the proxy-task
variant, its parameter-fused average with its parent, and the manual-annotation model
(Base(SFT)), each change paired by question with a 95% interval by video."""
from __future__ import annotations

import numpy as np
import pandas as pd

from fragmentforge.actionart.benchmark import TAGS
from fragmentforge.evaluate.report_tables import pct
from fragmentforge.evaluate.stats import cluster_bootstrap
from fragmentforge.results_db import sql


def _answers(conn, run_id: str, qa_path) -> pd.DataFrame:
    return conn.execute(sql("actionart_answers"), {"run_id": run_id, "qa_path": str(qa_path)}).fetchdf()


def _cell(frame: pd.DataFrame, resamples: int, seed: int) -> str:
    if frame.empty:
        return "–"
    acc, low, high = cluster_bootstrap(frame["correct"].astype(float), frame["video_id"], resamples, seed)
    return f"{pct(acc)} [{pct(low)}, {pct(high)}]"


def _paired(a: pd.DataFrame, b: pd.DataFrame, resamples: int, seed: int) -> str:
    both = a.merge(b, on=["qa_id", "video_id"], suffixes=("_a", "_b"))
    if both.empty:
        return "–"
    d = both["correct_a"].astype(float) - both["correct_b"].astype(float)
    mean, low, high = cluster_bootstrap(d.to_numpy(), both["video_id"].to_numpy(), resamples, seed)
    return f"{100 * mean:+.1f} [{100 * low:+.1f}, {100 * high:+.1f}]"


def write_section(doc, conn, params, qa_path, models, runs) -> dict | None:
    ev = params.evaluation
    answers = {m.variant: _answers(conn, runs[m.variant]["run_id"], qa_path) for m in models if m.variant in runs}
    answers = {v: a for v, a in answers.items() if not a.empty}
    if not answers:
        return None
    doc.heading("ActionArt: sub-tasks")
    doc.text("Accuracy in % per sub-task with 95% intervals by video (AC action count, AR action recognition, AS "
             "action sequence, GS global spatial, HOI human-object interaction, LS local spatial, MV moving "
             "direction, TL temporal localization); four options each. Questions come from the people world's AVA "
             "rows and keypoints; each shows frames of the whole clip.")
    rows = []
    for model in models:
        frame = answers.get(model.variant)
        if frame is None:
            continue
        rows.append([model.label] + [_cell(frame[frame["tag"] == t], ev.bootstrap_resamples, ev.seed) for t in TAGS]
                    + [_cell(frame, ev.bootstrap_resamples, ev.seed)])
    counts = next(iter(answers.values()))["tag"].value_counts()
    rows.append(["random"] + ["25.0" if counts.get(t) else "–" for t in TAGS] + ["25.0"])
    rows.append(["questions"] + [str(int(counts.get(t, 0))) for t in TAGS] + [str(int(counts.sum()))])
    doc.table(["model", *TAGS, "Avg"], rows)
    summary = {"tags": {t: int(counts.get(t, 0)) for t in TAGS}}
    fused = [v for v in params.training.variants if v.fuse]
    if fused and "base" in answers:
        doc.text("Proxy tasks and parameter fusion (ActionArt Table 2): each variant against Base, in points, paired by "
                 "question. The proxy-task variant trains only on teacher-labelled pose descriptions, pose differences "
                 "and pseudo-long clips of training videos; the fused variant averages its LoRA delta with its "
                 "parent's at the given weight; Base(SFT) is trained on the benchmarks' own training splits (the "
                 "paper's manual annotations).")
        table = []
        proxies = {v.fuse for v in fused}
        shown = [m for m in models if m.variant in answers and (m.variant in proxies or m.variant in {v.name for v in fused}
                                                                 or m.variant in ("base", "sft"))]
        for model in shown:
            frame = answers[model.variant]
            weight = next((f"fusion weight {v.fusion_weight:g}" for v in fused if v.name == model.variant), "")
            table.append([model.label, weight, _cell(frame, ev.bootstrap_resamples, ev.seed),
                          "–" if model.variant == "base" else _paired(frame, answers["base"], ev.bootstrap_resamples,
                                                                      ev.seed)])
        doc.table(["model", "", "ActionArt Avg", "Δ vs Base"], table)
    return summary
