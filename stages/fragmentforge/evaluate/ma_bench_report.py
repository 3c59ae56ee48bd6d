"""The report's MA-Bench section (its Table 2 layout): the closed-ended accuracies with a random
row, the open-ended MADU and MARE scores (0-5 per level, mean over answers, 95% interval by
video on each task's average), who labelled and who judged, and the judge's agreement with the
ground-truth judge."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from fragmentforge.evaluate.report_tables import pct
from fragmentforge.evaluate.stats import cluster_bootstrap
from fragmentforge.layout import TEACHER_STATS
from fragmentforge.microactions.open_ended import LABELS as OPEN_LABELS
from fragmentforge.results_db import sql



def closed_columns() -> list[tuple[str, str]]:
    """(column, task) of the ma_bench level, in its order (the generators declare them)."""
    from fragmentforge.tasks.registry import column_layout

    return next((pairs for level, pairs in column_layout() if level.__name__.rsplit(".", 1)[-1] == "ma_bench"), [])


def _closed_rows(models, runs, metrics, closed) -> list[list]:
    rows, chance = [], {}
    for model in models:
        if model.variant not in runs:
            continue
        m = metrics[runs[model.variant]["run_id"]]
        accs = [m.get((t, None), {}).get("accuracy") for _, t in closed]
        chance.update({t: m[(t, None)]["chance"] for _, t in closed if (t, None) in m})
        cells = [f"{pct(m[(t, None)]['accuracy'])} [{pct(m[(t, None)]['ci_low'])}, {pct(m[(t, None)]['ci_high'])}]"
                 if (t, None) in m else "–" for _, t in closed]
        known = [a for a in accs if a is not None]
        rows.append([model.label, *cells, pct(float(np.mean(known))) if known else "–"])
    if chance:
        values = [chance.get(t) for _, t in closed]
        rows.append(["random", *(pct(v) if v is not None else "–" for v in values),
                     pct(float(np.mean([v for v in values if v is not None])))])
    return rows


def _open_cell(frame: pd.DataFrame, resamples: int, seed: int) -> list[str]:
    if frame.empty or frame["l1"].isna().all():
        return ["–"] * 4
    scored = frame.dropna(subset=["l1", "l2", "l3"])
    average = scored[["l1", "l2", "l3"]].mean(axis=1)
    mean, low, high = cluster_bootstrap(average.to_numpy(float), scored["video_id"].to_numpy(), resamples, seed)
    return [f"{scored[c].mean():.2f}" for c in ("l1", "l2", "l3")] + [f"{mean:.2f} [{low:.2f}, {high:.2f}]"]


def agreement(frame: pd.DataFrame) -> dict:
    """The judge against the ground-truth judge, over answers both scored: exact agreement and
    mean absolute difference per level."""
    both = frame.dropna(subset=["l1", "l2", "l3", "gt_l1", "gt_l2", "gt_l3"])
    out = {"answers": int(len(frame)), "both_scored": int(len(both)),
           "judge_quarantined": int((frame["judge_status"] != "ok").sum())}
    for level in ("l1", "l2", "l3"):
        if len(both):
            out[f"{level}_exact"] = float((both[level] == both[f"gt_{level}"]).mean())
            out[f"{level}_mad"] = float((both[level] - both[f"gt_{level}"]).abs().mean())
    return out


def write_section(doc, conn, params, root: Path, models, runs, metrics) -> dict | None:
    closed = closed_columns()
    if not any((t, None) in metrics[r["run_id"]] for r in runs.values() for _, t in closed):
        return None
    ev = params.evaluation
    doc.heading("MA-Bench: micro-actions")
    doc.text(f"Closed-ended accuracy in % with 95% intervals by video; each question shows {params.tasks.ma_bench.frames} "
             "frames of one named person's span. SAD and MAD are yes/no (50% chance). Only questions the judge "
             f"verified or a reviewer accepted are asked (tasks.ma_bench.admit: {params.tasks.ma_bench.admit}).")
    doc.table(["model", *(c for c, _ in closed), "Avg"], _closed_rows(models, runs, metrics, closed))
    frames = {}
    for variant, run in runs.items():
        frames[variant] = conn.execute(sql("open_ended_scores"), {"r": run["run_id"]}).fetchdf()
    header = ["model"] + [f"{OPEN_LABELS[t]} {c}" for t in OPEN_LABELS for c in ("L1", "L2", "L3", "Avg")]
    rows = []
    for model in models:
        frame = frames.get(model.variant)
        if frame is None:
            continue
        cells = []
        for task in OPEN_LABELS:
            cells += _open_cell(frame[frame["task"] == task], ev.bootstrap_resamples, ev.seed)
        rows.append([model.label, *cells])
    doc.text("Open-ended, scored 0-5 by the judge: MADU L1 core action, L2 directions, L3 order and structure; "
             "MARE L1 body level, L2 action, L3 reasoning chain (rubric: stages/fragmentforge/teacher/prompts/"
             "open_answer_judge.md). Avg: mean of the three levels, with a 95% interval by video.")
    doc.table(header, rows)
    every = pd.concat([f for f in frames.values() if not f.empty]) if any(not f.empty for f in frames.values()) else None
    summary = {"open_ended_answers": 0 if every is None else int(len(every))}
    teacher = _stats(root / params.paths.teacher_dir / TEACHER_STATS)
    judge = _stats(root / params.paths.judge_dir / TEACHER_STATS)
    doc.text(f"Labelled by: captions {teacher.get('teacher', 'none')}; QA verification by {judge.get('judge', 'none')}; "
             f"open-ended answers judged by {'ground_truth' if params.judge.kind == 'ground_truth' else 'model:' + str(params.judge.model)}.")
    if every is not None:
        agree = agreement(every)
        summary["judge_agreement"] = agree
        if params.judge.kind == "ground_truth":
            doc.text("The judge is the ground-truth judge, so its agreement with the ground-truth judge is 1 by "
                     "construction. Set judge.kind: openai (a model on an OpenAI-compatible server) and this line "
                     "gives that model's agreement, level by level.")
        else:
            cells = ", ".join(f"{lvl.upper()} {pct(agree.get(f'{lvl}_exact'))}% exact (mean |Δ| "
                              f"{agree.get(f'{lvl}_mad', float('nan')):.2f})" for lvl in ("l1", "l2", "l3"))
            doc.text(f"Judge against the ground-truth judge on {agree['both_scored']} of {agree['answers']} answers "
                     f"({agree['judge_quarantined']} judge replies quarantined): {cells}.")
    return summary


def _stats(path: Path) -> dict:
    return json.loads(path.read_text()) if path.is_file() else {}
