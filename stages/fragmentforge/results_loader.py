"""Load stage outputs into the results database: the ingest manifest, the gate's report, and
one base model's training records, logs and evaluation runs. Every other node only writes
files, so heavy steps never hold the database; this short step (the report's) is its one
writer among the DAG nodes (the external-benchmark tool adds runs too), and replacing rows makes
it idempotent."""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from fragmentforge.config import Params
from fragmentforge.layout import DESCRIPTION_SCORES, FINEAGENT, OPEN_SCORES, PREDICTIONS, layout
from fragmentforge.results_db import (load_finebench, load_manifest, record_evaluation, record_task_validation,
                                      record_training)
from fragmentforge.variants import evaluation_runs, training_records


def load_base_results(conn, params: Params, root: Path, base: str) -> dict[str, int]:
    where = layout(params, root)
    if where.manifest.is_file():
        load_manifest(conn, where.manifest)
    if where.gate_report.is_file():
        record_task_validation(conn, json.loads(where.gate_report.read_text()))
    trainings = training_records(params, root, base)
    for _, record, log in trainings:
        record_training(conn, record, log)
    runs = evaluation_runs(params, root, base)
    for summary in runs:
        folder = where.evaluation(base, summary["run"]["variant"])
        rows = pq.read_table(folder / PREDICTIONS).to_pylist()
        assisted = pq.read_table(folder / FINEAGENT) if (folder / FINEAGENT).is_file() else None
        opened, described = (pq.read_table(folder / name) if (folder / name).is_file() else None
                             for name in (OPEN_SCORES, DESCRIPTION_SCORES))
        record_evaluation(conn, summary["run"], rows, summary["metrics"], assisted, opened, described)
    if where.qa.is_file():
        load_finebench(conn, where.qa)
    return {"training_runs": len(trainings), "evaluation_runs": len(runs)}
