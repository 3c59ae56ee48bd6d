"""The ablation report (reports_dir/ablations/report.md and .html): per table, our cells with
their intervals beside the paper's shape, which differences this data size resolves, and per
arm its DVC experiment, time and the stages that ran in it."""
from __future__ import annotations

import json
from pathlib import Path

from fragmentforge.ablations import cells as cells_of
from fragmentforge.ablations.cells import ArmCells, Interval
from fragmentforge.ablations.spec import Ablation, by_name
from fragmentforge.layout import ABLATIONS_DB, ABLATIONS_REPORT
from fragmentforge.evaluate.report_tables import pct
from fragmentforge.report import Doc


def _cell(i: Interval | None, signed: bool = False) -> str:
    if i is None:
        return "–"
    fmt = (lambda v: f"{100 * v:+.1f}") if signed else pct
    return f"{fmt(i.value)} [{fmt(i.low)}, {fmt(i.high)}]"


# Fewer test videos than this and a percentile bootstrap over videos is itself too unsure (its
# intervals come out too narrow): an interval that excludes zero is then reported, not a finding.
MIN_VIDEOS = 10


def verdict(ablation: Ablation, cells: list[ArmCells]) -> str:
    label = {a.name: a.label for a in ablation.arms}
    compared = [c for c in cells if c.delta is not None]
    resolved = [c for c in compared if c.delta.excludes_zero]
    if not compared:
        return "Only the reference arm has results: nothing to compare."
    videos = min(c.videos for c in cells)
    if resolved and videos < MIN_VIDEOS:
        said = "; ".join(f"{label[c.arm]} {_cell(c.delta, True)}" for c in resolved)
        return (f"Intervals that exclude zero: {said}. With {videos} test videos a bootstrap over videos "
                f"is too unsure to rely on (fewer than {MIN_VIDEOS}): not a finding.")
    if not resolved:
        return (f"No difference is resolved at this data size: every interval of the difference from "
                f"{label[ablation.reference]} includes zero. This table is not a finding.")
    said = "; ".join(f"{label[c.arm]} {_cell(c.delta, True)}" for c in resolved)
    rest = [label[c.arm] for c in compared if c not in resolved]
    return (f"Resolved (the interval excludes zero): {said}."
            + (f" Not resolved: {', '.join(rest)}." if rest else ""))


def sections(conn, params, tables: Path) -> list:
    """Every table the database has arms of (this run's and earlier ones'), in file order."""
    collected = {r[0] for r in conn.execute("SELECT DISTINCT ablation FROM ablation_arms").fetchall()}
    return [section(conn, params, a, base) for a in by_name([], tables) if a.name in collected and not a.waiting_for
            for base in params.models.base_models]


def section(conn, params, ablation: Ablation, base: str) -> tuple:
    """(ablation, base, its cells, {arm: its ablation_arms row}) from the collected rows."""
    resamples, seed = params.evaluation.bootstrap_resamples, params.evaluation.seed
    if ablation.metric == "accuracy":
        rows = conn.execute("SELECT arm, task, video_id, correct FROM ablation_predictions WHERE ablation = ? "
                            "AND base_model = ?", [ablation.name, base]).df()
        cells = cells_of.accuracy_cells(ablation, rows, resamples, seed)
    else:
        rows = conn.execute("SELECT arm, desc_id, video_id, precision, recall FROM ablation_descriptions "
                            "WHERE ablation = ? AND base_model = ?", [ablation.name, base]).df()
        cells = cells_of.f1_cells(ablation, rows, resamples, seed)
    arms = {r["arm"]: r for r in conn.execute("SELECT * FROM ablation_arms WHERE ablation = ? AND base_model = ?",
                                               [ablation.name, base]).df().to_dict("records")}
    return ablation, base, cells, arms


def cells_table(ablation: Ablation, cells: list[ArmCells]) -> tuple[list[str], list[list[str]]]:
    """(header, rows): per arm, each task (when several), the headline and Δ against the reference."""
    label = {a.name: a.label for a in ablation.arms}
    headline = "Avg" if ablation.metric == "accuracy" else "F1"
    per_task = ablation.metric == "accuracy" and len(ablation.tasks) > 1
    header = ["Arm", *(ablation.tasks if per_task else []), headline, f"Δ vs {label[ablation.reference]}"]
    rows = []
    for c in cells:
        tasks = [_cell(c.tasks.get(t)) for t in ablation.tasks] if per_task else []
        rows.append([label[c.arm], *tasks, _cell(c.headline), _cell(c.delta, True) if c.delta else "reference"])
    return header, rows


def table_section(doc: Doc, ablation: Ablation, base: str, cells: list[ArmCells], arms: dict) -> None:
    label = {a.name: a.label for a in ablation.arms}
    doc.heading(f"{ablation.title} ({base})", 3)
    doc.text(f"Paper: {ablation.paper}")
    what = (f"accuracy on {', '.join(ablation.tasks)}" if ablation.metric == "accuracy"
            else "description F1 (AutoDQ, entailment only)")
    questions = max((c.questions for c in cells), default=0)
    videos = max((c.videos for c in cells), default=0)
    variants = ", ".join(f"`{v}`" for v in dict.fromkeys(ablation.variant_of(a) for a in ablation.arms))
    doc.text(f"Measured: {variants}, {what}; {questions} items on {videos} test videos per arm. "
             f"95% intervals resample whole videos; Δ is paired by video against {label[ablation.reference]}.")
    doc.table(*cells_table(ablation, cells))
    doc.text(verdict(ablation, cells))
    timing = []
    for c in cells:
        info = arms.get(c.arm, {})
        ran = json.loads(info["stages_run"]) if info.get("stages_run") else None
        timing.append([label[c.arm], info.get("experiment", "–"),
                       f"{info['seconds']:.0f}" if info.get("seconds") is not None else "–",
                       "–" if ran is None else (", ".join(ran) or "none (all outputs from the cache)")])
    doc.table(["Arm", "DVC experiment", "seconds", "stages that ran (the rest came from the cache)"], timing)


def write(folder: Path, sections: list, waiting: list[Ablation], total_s: float | None,
          failed: dict[str, str] | None = None) -> Path:
    doc = Doc("FragmentForge ablations")
    doc.text("Each arm is a DVC experiment: the named params overrides, run by `dvc exp run --run-all` in its own "
             "clone, reusing every output the overrides do not touch. `dvc exp show` lists them with their metrics.")
    if total_s is not None:
        doc.text(f"This run of `make ablations`: {total_s:.0f} s.")
    for ablation, base, cells, arms in sections:
        table_section(doc, ablation, base, cells, arms)
    if failed:
        doc.heading("Arms that failed in this run", 3)
        doc.text("Their tables show the other arms; rerun with `make ablations ABLATION=<table>`.")
        doc.table(["DVC experiment", "why"], [[name, why] for name, why in sorted(failed.items())])
    if waiting:
        doc.heading("Waiting for a feature", 3)
        doc.table(["Table", "Waiting for"], [[a.title, a.waiting_for] for a in waiting])
    folder.mkdir(parents=True, exist_ok=True)
    doc.write(folder)
    return folder


def rewrite(root: Path, params, tables: Path, total_s: float | None = None,
            failed: dict[str, str] | None = None) -> tuple[Path, list]:
    """The report drawn from what the ablations database holds: (its folder, its sections)."""
    from fragmentforge.ablations.collect import connect

    conn = connect(root / params.paths.ablations_dir / ABLATIONS_DB)
    try:
        drawn = sections(conn, params, tables)
    finally:
        conn.close()
    waiting = [a for a in by_name([], tables) if a.waiting_for]
    return write(root / params.paths.reports_dir / ABLATIONS_REPORT, drawn, waiting, total_s, failed), drawn
