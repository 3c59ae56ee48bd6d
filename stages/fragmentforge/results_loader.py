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
from fragmentforge.layout import PREDICTIONS, RUN, TRAINING_RECORD, layout
from fragmentforge.results_db import load_manifest, record_evaluation, record_task_validation, record_training
from fragmentforge.training.runner import read_log
from fragmentforge.variants import trained


def load_base_results(conn, params: Params, root: Path, base: str) -> dict[str, int]:
    where = layout(params, root)
    if where.manifest.is_file():
        load_manifest(conn, where.manifest)
    if where.gate_report.is_file():
        record_task_validation(conn, json.loads(where.gate_report.read_text()))
    trained_variants = [(v, a) for v, a in trained(params, root, base) if a is not None]
    for _, adapter in trained_variants:
        record_training(conn, json.loads((adapter / TRAINING_RECORD).read_text()), read_log(adapter / "trainer_log.jsonl"))
    runs = 0
    for variant, _ in trained(params, root, base):
        run_path = where.evaluation(base, variant) / RUN
        if run_path.is_file():
            summary = json.loads(run_path.read_text())
            rows = pq.read_table(run_path.parent / PREDICTIONS).to_pylist()
            record_evaluation(conn, summary["run"], rows, summary["metrics"])
            runs += 1
    return {"training_runs": len(trained_variants), "evaluation_runs": runs}
