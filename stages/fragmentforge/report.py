"""Node `benchmark_report`: the benchmark report, from the results database.

Output (paths.reports_dir/<base model>/): report.md, report.html (self-contained: the chart
inlined) and chart.png. Every number is read from the runs, metrics and predictions tables of
the current QA data; the lineage section lists the hashes behind each run, and a regression
section compares the base model with the one listed before it in models.base_models.
"""
from __future__ import annotations

import base64
import html
from pathlib import Path

from fragmentforge.cli import parse_base_stage_args
from fragmentforge.config import Params
from fragmentforge.evaluate import actionart_report as aar
from fragmentforge.evaluate import finebench_report as fbr
from fragmentforge.evaluate import description_report as dr
from fragmentforge.evaluate import ma_bench_report as mbr
from fragmentforge.evaluate import report_tables as rt
from fragmentforge.evaluate.report_tables import delta_text, pct
from fragmentforge.evaluate.identity import benchmark, params_hash
from fragmentforge.evaluate.open_ended import judge_identity
from fragmentforge.layout import CHART, REPORT_HTML, REPORT_MD, layout
from fragmentforge.results_db import locked_connection
from fragmentforge.results_loader import load_base_results
from fragmentforge.variants import BASE, training_records


def markdown_table(header: list, rows: list[list]) -> str:
    """The one Markdown table writer: the report files and the Dagster metadata use it."""
    lines = ["| " + " | ".join(str(h) for h in header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows])


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
        self.md += [markdown_table(header, rows), ""]
        cells = "".join(f"<th>{html.escape(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
        self.html.append(f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>")

    def image(self, path: Path, alt: str):
        self.md += [f"![{alt}]({path.name})", ""]
        encoded = base64.b64encode(path.read_bytes()).decode()
        self.html.append(f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{encoded}">')

    def write(self, folder: Path):
        (folder / REPORT_MD).write_text("\n".join(self.md) + "\n")
        style = ("body{font-family:sans-serif;max-width:1200px;margin:2em auto}table{border-collapse:collapse;"
                 "margin:1em 0}td,th{border:1px solid #bbb;padding:4px 8px;text-align:right}img{max-width:100%}")
        (folder / REPORT_HTML).write_text(f"<!doctype html><html><head><meta charset='utf-8'><title>FragmentForge"
                                            f" report</title><style>{style}</style></head><body>"
                                            + "\n".join(self.html) + "</body></html>\n")


def present(models: list, runs: dict) -> list:
    return [m for m in models if m.variant in runs]


ANSWER_PRIOR_ROW = "answer prior (blind)"


def known(value) -> bool:
    """Not missing: the database gives NULL back as None or, through pandas, as NaN."""
    return value is not None and value == value


def main_table(cols: rt.Columns, models: list, runs: dict, metrics: dict) -> tuple[list[str], list[list]]:
    header = ["model"] + [c for c, _ in cols.tasks] + cols.average_labels
    rows, chance, prior = [], {}, {}
    for model in present(models, runs):
        m = metrics[runs[model.variant]["run_id"]]
        acc = {t: m[(t, None)]["accuracy"] for _, t in cols.tasks if (t, None) in m}
        chance.update({t: m[(t, None)]["chance"] for _, t in cols.tasks if (t, None) in m})
        prior.update({t: m[(t, None)].get("answer_prior") for _, t in cols.tasks if (t, None) in m})
        avg = cols.averages(acc)
        rows.append([model.label] + [pct(acc.get(t)) for _, t in cols.tasks] + [pct(avg[k]) for k in cols.average_labels])
    for label, values in (("random", chance), (ANSWER_PRIOR_ROW, prior)):
        values = {t: v for t, v in values.items() if known(v)}
        if values:
            avg = cols.averages(values)
            rows.append([label] + [pct(values.get(t)) for _, t in cols.tasks] + [pct(avg[k]) for k in cols.average_labels])
    return header, rows


def family_text(names: set) -> str:
    """Which model family the base model was trained and evaluated as (models/families)."""
    from fragmentforge import plugins
    from fragmentforge.models import families

    known = sorted(n for n in names if n)
    if not known:
        return "Model family: not recorded (runs made before families were recorded)."
    parts = []
    for name in known:
        family = plugins.load(families, name)
        remote = "remote code from the model folder ran" if family.TRUST_REMOTE_CODE else "no remote code"
        parts.append(f"{name} (LLaMA-Factory template {family.TEMPLATE}; {remote})")
    return "Model family: " + ", ".join(parts) + "."


def answer_format_text(answer_format: str) -> str:
    reply = "the option's letter" if answer_format == "letter" else "the option's own text (cloze form)"
    return (f"Models were trained and scored to reply with {reply}. The random row picks an option "
            "uniformly. The answer-prior row never looks at the frames: it picks the option text that was "
            "right most often in the training split. Letters are balanced per task, so a letter prior is "
            "worth chance; option texts are not, so a model scored by text must clear the answer-prior row "
            "before it has read anything from the frames.")


def bars_table(cols: rt.Columns, models: list, runs: dict, metrics: dict) -> tuple[list[str], list[list]]:
    rows = []
    for model in present(models, runs):
        m = metrics[runs[model.variant]["run_id"]]
        cells = []
        for _, task in cols.tasks:
            r = m.get((task, None))
            if r is None:
                cells.append("")
                continue
            prior = r.get("answer_prior")
            above_chance = r["ci_low"] > r["chance"]
            above_prior = known(prior) and r["ci_low"] > prior
            cells.append("both" if above_chance and above_prior else "chance" if above_chance else "no")
        rows.append([model.label] + cells)
    return ["model"] + [c for c, _ in cols.tasks], rows


def comparison(conn, cols: rt.Columns, models: list, runs: dict, metrics: dict, ev) -> tuple[list[str], list[list]]:
    """Per task, every model's accuracy with its interval, its paired delta against Base and,
    for a variant that continues another, against that parent."""
    shown = present(models, runs)
    rows = []
    for column, task in cols.tasks:
        row = [column]
        for model in shown:
            run = runs[model.variant]
            m = metrics[run["run_id"]].get((task, None))
            cell = with_ci(m)
            for against in ([BASE] if model.variant != BASE else []) + ([model.parent] if model.parent else []):
                if m and against in runs:
                    delta = rt.paired_delta(conn, run["run_id"], runs[against]["run_id"], task,
                                            ev.bootstrap_resamples, ev.seed)
                    if delta:
                        cell += f"; vs {label_of(models, against)} {delta_text(delta)}"
            row.append(cell)
        rows.append(row)
    return ["task"] + [m.label for m in shown], rows


def label_of(models: list, variant: str) -> str:
    return next((m.label for m in models if m.variant == variant), variant)


def chart(base: str, cols: rt.Columns, models: list, runs: dict, metrics: dict, out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    tasks = cols.tasks
    shown = [(m.label, m.variant) for m in present(models, runs)]
    width = 0.8 / max(len(shown), 1)
    fig, ax = plt.subplots(figsize=(11, 4))
    for i, (name, variant) in enumerate(shown):
        m = metrics[runs[variant]["run_id"]]
        acc = np.array([m.get((t, None), {}).get("accuracy", np.nan) for _, t in tasks]) * 100
        low = np.array([m.get((t, None), {}).get("ci_low", np.nan) for _, t in tasks]) * 100
        high = np.array([m.get((t, None), {}).get("ci_high", np.nan) for _, t in tasks]) * 100
        x = np.arange(len(tasks)) + (i - (len(shown) - 1) / 2) * width
        ax.bar(x, acc, width, label=name, yerr=[acc - low, high - acc], capsize=2)
    first = metrics[runs[shown[0][1]]["run_id"]] if shown else {}
    ax.scatter(np.arange(len(tasks)), [first.get((t, None), {}).get("chance", np.nan) * 100 for _, t in tasks],
               marker="_", s=400, color="black", label="random", zorder=3)
    ax.set_xticks(np.arange(len(tasks)), [c for c, _ in tasks])
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 100)
    ax.set_title(f"{base}: benchmark tasks (95% CI by video)")
    ax.legend(ncol=5, fontsize=8)
    fig.tight_layout()
    path = out / CHART
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


def regression(conn, cols: rt.Columns, models: list, runs: dict, previous_runs: dict, metrics: dict,
               ev) -> tuple[list[str], list[list]]:
    """Per task and model: the previous base's accuracy, this one's, and the paired delta
    (same questions, 95% CI by video)."""
    shown = [m for m in present(models, runs) if m.variant in previous_runs]
    rows = []
    for column, task in cols.tasks:
        row = [column]
        for model in shown:
            new, old = runs[model.variant]["run_id"], previous_runs[model.variant]["run_id"]
            a, b = metrics[new].get((task, None)), metrics[old].get((task, None))
            delta = rt.paired_delta(conn, new, old, task, ev.bootstrap_resamples, ev.seed) if a and b else None
            row.append("–" if not delta else f"{pct(b['accuracy'])} → {pct(a['accuracy'])}; {delta_text(delta)}")
        rows.append(row)
    avg_row = ["A-Avg"]
    for model in shown:
        avg = [cols.averages({t: m[(t, None)]["accuracy"] for _, t in cols.tasks if (t, None) in m})["A-Avg"]
               for m in (metrics[previous_runs[model.variant]["run_id"]], metrics[runs[model.variant]["run_id"]])]
        change = "–" if None in avg else f"{100 * (avg[1] - avg[0]):+.1f}"
        avg_row.append(f"{pct(avg[0])} → {pct(avg[1])}; Δ {change}")
    rows.append(avg_row)
    return ["task"] + [m.label for m in shown], rows


def describe_columns(cols: rt.Columns) -> str:
    groups = "; ".join(f"{level.AVERAGE}: the {len(pairs)} {level.TITLE.lower()} tasks" for level, pairs in cols.groups)
    tasks = ", ".join(f"{c} {t}" for c, t in cols.tasks)
    return f"{groups}; A-Avg: all {len(cols.tasks)}. Columns: {tasks}."


def pretraining_section(doc: Doc, params: Params, root: Path, base: str) -> None:
    """The base's own grounding pretraining, when it has one (the embedded tiny model)."""
    import json

    from fragmentforge.models.build import open_registry
    from fragmentforge.models.pretrain import PRETRAIN_RECORD

    try:
        record = json.loads(open_registry(params, root).read_bytes(base, PRETRAIN_RECORD))
    except (FileNotFoundError, ValueError):
        return
    held = record["held_out"]
    loss = "–" if record["final_loss"] is None else f"{record['final_loss']:.3f}"
    doc.heading("The base model's pretraining (single-frame grounding, held-out clips)")
    doc.text(f"Full-parameter pretraining on {sum(record['samples']['train'].values())} questions about single "
             f"frames of the base's own synthetic pool (never a benchmark video); final loss "
             f"{loss}. Held-out accuracy {pct(held['accuracy'])}% against chance "
             f"{pct(held['chance'])}% on {held['questions']} questions.")
    doc.table(["question kind", "accuracy %", "chance %", "questions"],
              [[kind, pct(v["accuracy"]), pct(v["chance"]), v["questions"]] for kind, v in held["kinds"].items()])


def collapse_section(doc: Doc, params: Params, root: Path, base: str, cols: rt.Columns, models: list,
                     runs: dict, metrics: dict) -> None:
    threshold = params.evaluation.collapse_share
    rows = rt.collapse_rows(cols, models, runs, metrics, threshold)
    flagged = [r for r in rows if r[-1]]
    doc.heading("Collapse check")
    unit = "letter" if params.tasks.answer_format == "letter" else "answer"
    doc.text("A model that gives one answer whatever it sees is collapsed. Answer letters are balanced, so a "
             "constant letter scores chance; under text replies the count is over the predicted option texts, "
             "since a model that always says \"No\" spreads its letters evenly. "
             f"A task is flagged when one predicted {unit} takes {100 * threshold:.0f}% or more of its answers: "
             + (f"{len(flagged)} of {len(rows)} (model, task) pairs are." if flagged else
                f"none of the {len(rows)} (model, task) pairs is."))
    doc.table(["model", "task", f"top {unit}", "share", "entropy (bits)", "flag"], rows)
    records = {variant: record for variant, record, _ in training_records(params, root, base)}
    doc.text("Training against the letter-prior loss: the loss of a run that learned the answer format and "
             "the letter prior and nothing from the frames. A run that ends within 10% of it is flagged. Under "
             "text replies there is no such plateau (spelling out an option costs loss too), so it shows "
             "\"–\" and the answer spread above and the answer-prior row take its place.")
    doc.table(["model", "final loss", "letter-prior loss", "flag"], rt.training_prior_rows(models, records))


def build_report(params: Params, root: Path, base: str) -> dict:
    """Load this base model's (and the previous one's) outputs into the results database, then
    write <reports_dir>/<base>/: report.md, report.html and chart.png."""
    root = root.resolve()
    out = layout(params, root).report(base)
    out.mkdir(parents=True, exist_ok=True)
    _, dataset_hash = benchmark(params, root)
    ev = params.evaluation
    cols, models = rt.columns(), rt.models(params.training)
    previous = previous_base(params, base)
    doc = Doc(f"FragmentForge benchmark report: {base}")
    doc.text(f"Benchmark: the test split of the QA records (questions and frames hash {dataset_hash[:16]}). "
             f"Scoring: {ev.scoring}. Accuracy in %, 95% bootstrap intervals resampling whole videos. "
             + describe_columns(cols))
    summary = {"base": base, "dataset_hash": dataset_hash, "previous": previous, "regression": None}
    with locked_connection(root / params.paths.results_db) as conn:
        for name in filter(None, (previous, base)):
            load_base_results(conn, params, root, name)
        data = rt.load(conn, dataset_hash, params_hash(ev, judge_identity(params.judge)))
        grouped = rt.by_base(data)
        runs, metrics = grouped.get(base), data["metrics"]
        if not runs:
            raise RuntimeError(f"no evaluation runs of {base!r} on the current benchmark and evaluation params; "
                               "run the evaluation first")
        header, rows = main_table(cols, models, runs, metrics)
        doc.text(family_text({run.get("family") for run in runs.values()}))
        doc.heading("Benchmark table")
        doc.table(header, rows)
        doc.text(answer_format_text(params.tasks.answer_format))
        doc.heading("Above chance, above the blind prior")
        doc.text("Per task, whether the 95% interval's lower bound is above the random row and above the "
                 "answer-prior row.")
        doc.table(*bars_table(cols, models, runs, metrics))
        doc.image(chart(base, cols, models, runs, metrics, out), f"accuracy per task, {base}")
        doc.heading("What the comparison shows")
        doc.text("Each change is the difference of the group's mean task accuracy, paired by question, with a 95% "
                 "interval resampling whole videos; significant means the interval excludes zero. A task counts as "
                 "better or worse when its own paired interval excludes zero.")
        sentences = rt.findings(conn, cols, models, runs, ev)
        for sentence in sentences:
            doc.text(sentence)
        summary["findings"] = sentences
        doc.heading("Every variant against Base and against its parent (paired by question, 95% CI by video)")
        doc.table(*comparison(conn, cols, models, runs, metrics, ev))
        summary["finebench"] = fbr.write_section(doc, conn, models, runs, ev)
        summary["ma_bench"] = mbr.write_section(doc, conn, params, root, models, runs, metrics)
        summary["actionart"] = aar.write_section(doc, conn, params, layout(params, root).qa, models, runs)
        summary["descriptions"] = dr.write_section(doc, conn, params, root, base, models, runs)
        collapse_section(doc, params, root, base, cols, models, runs, metrics)
        pretraining_section(doc, params, root, base)
        doc.heading(f"Regression against the previous base model{f' ({previous})' if previous else ''}")
        if previous and grouped.get(previous):
            reg_header, reg_rows = regression(conn, cols, models, runs, grouped[previous], metrics, ev)
            doc.text(f"{previous} → {base}, per variant: accuracy before → after; Δ paired by question with a "
                     "95% CI resampling videos. A-Avg: difference of the task means.")
            doc.table(reg_header, reg_rows)
            summary["regression"] = {"against": previous, "header": reg_header, "rows": reg_rows}
        elif previous:
            doc.text(f"{previous} has no evaluation runs on this benchmark: nothing to compare.")
        else:
            doc.text("This is the first base model in models.base_models: nothing to compare.")
        doc.heading("Tasks by number of frames shown")
        order = {t: i for i, (_, t) in enumerate(cols.tasks)}
        by_n_columns = sorted({key for run in runs.values() for key in metrics[run["run_id"]] if key[1] is not None},
                              key=lambda k: (order.get(k[0], len(order)), k[0], k[1]))
        names = {t: c for c, t in cols.tasks}
        by_n = [[model.label] + [pct(metrics[runs[model.variant]["run_id"]].get(key, {}).get("accuracy"))
                                 for key in by_n_columns] for model in present(models, runs)]
        doc.table(["model"] + [f"{names.get(t, t)} N={n}" for t, n in by_n_columns], by_n)
        doc.heading("Unparseable answers and lineage")
        lineage = []
        for variant, run in runs.items():
            direct = data["direct"][run["run_id"]]
            unparseable = int(direct["unparseable"].sum())
            lineage.append([label_of(models, variant), run["run_id"], run["questions"],
                            f"{unparseable} ({pct(unparseable / max(run['questions'], 1))}%)",
                            run["base_hash"][:12], (run["adapter_hash"] or "–")[:12], run["dataset_hash"][:12],
                            run["params_hash"], run["code_version"], run["device"], run.get("family") or "–"])
        doc.table(["model", "run", "questions", "unparseable", "base", "adapter", "data", "params", "code",
                   "device", "family"], lineage)
    doc.heading("Ablations")
    doc.text("Each paper's ablation tables run as DVC experiments with `make ablations` (after this run) and are "
             "written to ../ablations/report.html and report.md beside this folder, with intervals and what "
             "each arm reused.")
    doc.write(out)
    summary.update(table_header=header, table=rows, runs={v: r["run_id"] for v, r in runs.items()},
                   markdown=str(out / REPORT_MD), html=str(out / REPORT_HTML), chart=str(out / CHART))
    return summary


def main(argv=None) -> None:
    params, root, bases, _ = parse_base_stage_args("Write the benchmark report of each base model.", argv)
    for base in bases:
        summary = build_report(params, root, base)
        print(f"report {base}: {summary['html']} (and report.md)")


if __name__ == "__main__":
    main()
