"""Stage: the benchmark report, from the results database.

Output (paths.reports_dir/<base model>/): report.md, report.html (self-contained: the chart
inlined) and chart.png. Every number is read from the runs, metrics and predictions tables of
the current QA data; the lineage section lists the hashes behind each run, and a regression
section compares the base model with the one listed before it in models.base_models.
"""
from __future__ import annotations

import base64
import html
from pathlib import Path

from stages.common import parse_base_stage_args, sha256_file
from stages.config import Params
from stages.evaluate import report_tables as rt
from stages.proxy_tasks import QA_FILE
from stages.evaluate_models import evaluation_params_hash
from stages.results_db import locked_connection
from stages.results_loader import load_base_results

CHART_FILE = "chart.png"


def pct(value) -> str:
    return "–" if value is None or value != value else f"{100 * value:.1f}"


def with_ci(m) -> str:
    return "–" if m is None else f"{pct(m['accuracy'])} [{pct(m['ci_low'])}, {pct(m['ci_high'])}]"


class Doc:
    """Sections rendered twice: Markdown and HTML."""

    def __init__(self, title: str):
        self.md = [f"# {title}", ""]
        self.html = [f"<h1>{html.escape(title)}</h1>"]

    def heading(self, text: str, level: int = 2):
        self.md += [f"{'#' * level} {text}", ""]
        self.html.append(f"<h{level}>{html.escape(text)}</h{level}>")

    def text(self, text: str):
        self.md += [text, ""]
        self.html.append(f"<p>{html.escape(text)}</p>")

    def table(self, header: list[str], rows: list[list]):
        self.md += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        self.md += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows] + [""]
        cells = "".join(f"<th>{html.escape(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
        self.html.append(f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>")

    def image(self, path: Path, alt: str):
        self.md += [f"![{alt}]({path.name})", ""]
        encoded = base64.b64encode(path.read_bytes()).decode()
        self.html.append(f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{encoded}">')

    def write(self, folder: Path):
        (folder / "report.md").write_text("\n".join(self.md) + "\n")
        style = ("body{font-family:sans-serif;max-width:1200px;margin:2em auto}table{border-collapse:collapse;"
                 "margin:1em 0}td,th{border:1px solid #bbb;padding:4px 8px;text-align:right}img{max-width:100%}")
        (folder / "report.html").write_text(f"<!doctype html><html><head><meta charset='utf-8'><title>FragmentForge"
                                            f" report</title><style>{style}</style></head><body>"
                                            + "\n".join(self.html) + "</body></html>\n")


def main_table(runs: dict, metrics: dict) -> tuple[list[str], list[list]]:
    columns = [c for c, _ in rt.SCENE + rt.FRAGMENT]
    header = ["model"] + columns + ["S-Avg", "FG-Avg", "A-Avg"]
    rows, chance = [], {}
    for name, variant in rt.FOUR_WAY + tuple((v, v) for v in runs if v not in dict(rt.FOUR_WAY).values()):
        if variant not in runs:
            continue
        m = metrics[runs[variant]["run_id"]]
        acc = {t: m[(t, None)]["accuracy"] for _, t in rt.SCENE + rt.FRAGMENT if (t, None) in m}
        chance.update({t: m[(t, None)]["chance"] for _, t in rt.SCENE + rt.FRAGMENT if (t, None) in m})
        avg = rt.averages(acc)
        rows.append([name] + [pct(acc.get(t)) for _, t in rt.SCENE + rt.FRAGMENT]
                    + [pct(avg[k]) for k in ("S-Avg", "FG-Avg", "A-Avg")])
    avg = rt.averages(chance)
    rows.append(["random"] + [pct(chance.get(t)) for _, t in rt.SCENE + rt.FRAGMENT]
                + [pct(avg[k]) for k in ("S-Avg", "FG-Avg", "A-Avg")])
    return header, rows


def chart(base: str, runs: dict, metrics: dict, out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    tasks = [(c, t) for c, t in rt.SCENE + rt.FRAGMENT]
    present = [(name, v) for name, v in rt.FOUR_WAY if v in runs]
    width = 0.8 / max(len(present), 1)
    fig, ax = plt.subplots(figsize=(11, 4))
    for i, (name, variant) in enumerate(present):
        m = metrics[runs[variant]["run_id"]]
        acc = np.array([m.get((t, None), {}).get("accuracy", np.nan) for _, t in tasks]) * 100
        low = np.array([m.get((t, None), {}).get("ci_low", np.nan) for _, t in tasks]) * 100
        high = np.array([m.get((t, None), {}).get("ci_high", np.nan) for _, t in tasks]) * 100
        x = np.arange(len(tasks)) + (i - (len(present) - 1) / 2) * width
        ax.bar(x, acc, width, label=name, yerr=[acc - low, high - acc], capsize=2)
    first = metrics[runs[present[0][1]]["run_id"]] if present else {}
    ax.scatter(np.arange(len(tasks)), [first.get((t, None), {}).get("chance", np.nan) * 100 for _, t in tasks],
               marker="_", s=400, color="black", label="random", zorder=3)
    ax.set_xticks(np.arange(len(tasks)), [c for c, _ in tasks])
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 100)
    ax.set_title(f"{base}: FineVidBench tasks (95% CI by video)")
    ax.legend(ncol=5, fontsize=8)
    fig.tight_layout()
    path = out / CHART_FILE
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def previous_base(params: Params, base: str) -> str | None:
    """The base model listed just before this one: the registry sensor appends models in the
    order they land, so this is the model a new one is compared against."""
    order = list(params.models.base_models)
    if base not in order:
        raise ValueError(f"base model {base!r} is not in models.base_models {order}")
    at = order.index(base)
    return order[at - 1] if at > 0 else None


def regression(conn, runs: dict, previous_runs: dict, metrics: dict, ev) -> tuple[list[str], list[list]]:
    """Per task and variant: the previous base's accuracy, this one's, and the paired delta
    (same questions, 95% CI by video)."""
    variants = [(name, v) for name, v in rt.FOUR_WAY if v in runs and v in previous_runs]
    rows = []
    for column, task in rt.SCENE + rt.FRAGMENT:
        row = [column]
        for _, variant in variants:
            new, old = runs[variant]["run_id"], previous_runs[variant]["run_id"]
            a, b = metrics[new].get((task, None)), metrics[old].get((task, None))
            delta = rt.paired_delta(conn, new, old, task, ev.bootstrap_resamples, ev.seed) if a and b else None
            row.append("–" if not delta else f"{pct(b['accuracy'])} → {pct(a['accuracy'])}; "
                       f"Δ {100 * delta[0]:+.1f} [{100 * delta[1]:+.1f}, {100 * delta[2]:+.1f}]")
        rows.append(row)
    avg_row = ["A-Avg"]
    for _, variant in variants:
        avg = [rt.averages({t: m[(t, None)]["accuracy"] for _, t in rt.SCENE + rt.FRAGMENT if (t, None) in m})["A-Avg"]
               for m in (metrics[previous_runs[variant]["run_id"]], metrics[runs[variant]["run_id"]])]
        avg_row.append(f"{pct(avg[0])} → {pct(avg[1])}; Δ {100 * (avg[1] - avg[0]):+.1f}")
    rows.append(avg_row)
    return ["task"] + [name for name, _ in variants], rows


def build_report(params: Params, root: Path, base: str) -> dict:
    """Load this base model's (and the previous one's) outputs into the results database, then
    write <reports_dir>/<base>/: report.md, report.html and chart.png."""
    root = root.resolve()
    out = root / params.paths.reports_dir / base
    out.mkdir(parents=True, exist_ok=True)
    dataset_hash = sha256_file(root / params.paths.tasks_dir / QA_FILE)
    ev = params.evaluation
    previous = previous_base(params, base)
    doc = Doc(f"FragmentForge benchmark report: {base}")
    doc.text(f"Benchmark: the test split of data/tasks/qa.parquet (sha256 {dataset_hash[:16]}). Scoring: {ev.scoring}. "
             "Accuracy in %, 95% bootstrap intervals resampling whole videos. S-Avg: scene tasks; FG-Avg: fragment "
             "tasks; A-Avg: all eight. FCnt counting, MoO localization (meaning of order), FCmp consistency "
             "(frame comparison), AoN disorder (adjust or not), Rearr rearrangement.")
    summary = {"base": base, "dataset_hash": dataset_hash, "previous": previous, "regression": None}
    with locked_connection(root / params.paths.results_db) as conn:
        for name in filter(None, (previous, base)):
            load_base_results(conn, params, root, name)
        data = rt.load(conn, dataset_hash, evaluation_params_hash(params))
        grouped = rt.by_base(data)
        runs, metrics = grouped.get(base), data["metrics"]
        if not runs:
            raise RuntimeError(f"no evaluation runs of {base!r} on the current benchmark and evaluation params; "
                               "run the evaluation first")
        header, rows = main_table(runs, metrics)
        doc.heading("FineVidBench table")
        doc.table(header, rows)
        doc.image(chart(base, runs, metrics, out), f"accuracy per task, {base}")
        doc.heading("Four-way comparison (delta vs Base, paired by question, 95% CI by video)")
        four = []
        for column, task in rt.SCENE + rt.FRAGMENT:
            row = [column]
            for name, variant in rt.FOUR_WAY:
                run = runs.get(variant)
                m = metrics[run["run_id"]].get((task, None)) if run else None
                cell = with_ci(m)
                if run and variant != "base" and "base" in runs and m:
                    delta = rt.paired_delta(conn, run["run_id"], runs["base"]["run_id"], task,
                                            ev.bootstrap_resamples, ev.seed)
                    if delta:
                        cell += f"; Δ {100 * delta[0]:+.1f} [{100 * delta[1]:+.1f}, {100 * delta[2]:+.1f}]"
                row.append(cell)
            four.append(row)
        doc.table(["task"] + [name for name, _ in rt.FOUR_WAY], four)
        doc.heading(f"Regression against the previous base model{f' ({previous})' if previous else ''}")
        if previous and grouped.get(previous):
            reg_header, reg_rows = regression(conn, runs, grouped[previous], metrics, ev)
            doc.text(f"{previous} → {base}, per variant: accuracy before → after; Δ paired by question with a "
                     "95% CI resampling videos. A-Avg: difference of the task means.")
            doc.table(reg_header, reg_rows)
            summary["regression"] = {"against": previous, "header": reg_header, "rows": reg_rows}
        elif previous:
            doc.text(f"{previous} has no evaluation runs on this benchmark: nothing to compare.")
        else:
            doc.text("This is the first base model in models.base_models: nothing to compare.")
        doc.heading("Fragment tasks by number of frames")
        by_n = []
        for name, variant in rt.FOUR_WAY:
            if variant in runs:
                m = metrics[runs[variant]["run_id"]]
                by_n.append([name] + [pct(m.get((t, n), {}).get("accuracy")) for _, t in rt.FRAGMENT
                                      for n in rt.SIZES])
        doc.table(["model"] + [f"{c} N={n}" for c, _ in rt.FRAGMENT for n in rt.SIZES], by_n)
        doc.heading("Unparseable answers and lineage")
        lineage = []
        for variant, run in runs.items():
            direct = data["direct"][run["run_id"]]
            unparseable = int(direct["unparseable"].sum())
            lineage.append([rt.label(variant), run["run_id"], run["questions"],
                            f"{unparseable} ({pct(unparseable / max(run['questions'], 1))}%)",
                            run["base_hash"][:12], (run["adapter_hash"] or "–")[:12], run["dataset_hash"][:12],
                            run["params_hash"], run["code_version"], run["device"]])
        doc.table(["model", "run", "questions", "unparseable", "base", "adapter", "data", "params", "code",
                   "device"], lineage)
    doc.write(out)
    summary.update(table_header=header, table=rows, runs={v: r["run_id"] for v, r in runs.items()},
                   markdown=str(out / "report.md"), html=str(out / "report.html"), chart=str(out / CHART_FILE))
    return summary


def main(argv=None) -> None:
    params, root, bases, _ = parse_base_stage_args("Write the benchmark report of each base model.", argv)
    for base in bases:
        summary = build_report(params, root, base)
        print(f"report {base}: {summary['html']} (and report.md)")


if __name__ == "__main__":
    main()
