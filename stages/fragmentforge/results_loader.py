"""Load one base model's stage outputs (training records and logs, evaluation runs) into the
results database. Training and evaluation only write files, so heavy steps never hold the
database; this short step is the one writer, and replacing rows makes it idempotent."""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from fragmentforge.config import Params
from fragmentforge.layout import PREDICTIONS, RUN
from fragmentforge.results_db import record_evaluation, record_training
from fragmentforge.training.runner import RECORD, read_log



def load_base_results(conn, params: Params, root: Path, base: str) -> dict[str, int]:
    adapters = root / params.paths.adapters_dir / base
    trained = 0
    for record_path in sorted(adapters.glob(f"*/{RECORD}")):
        record = json.loads(record_path.read_text())
        record_training(conn, record, read_log(record_path.parent / "trainer_log.jsonl"))
        trained += 1
    evaluated = 0
    for run_path in sorted((root / params.paths.eval_dir / base).glob(f"*/{RUN}")):
        summary = json.loads(run_path.read_text())
        rows = pq.read_table(run_path.parent / PREDICTIONS).to_pylist()
        record_evaluation(conn, summary["run"], rows, summary["metrics"])
        evaluated += 1
    return {"training_runs": trained, "evaluation_runs": evaluated}
