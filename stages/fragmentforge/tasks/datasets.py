"""Node `training_datasets`: LLaMA-Factory datasets from records that passed the gate.

Output (paths.exports_dir): llamafactory/ (dataset_info.json + sharegpt files): the records, and
MA-Bench-Train's free-text targets (the train split of the open-ended questions) in MA-Bench's
dataset, and the train-split descriptions (frame-grounded when tasks.descriptions.grounded) in
description_train. Refuses to export records whose gate report is missing, failed, or was computed on other data.
"""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from fragmentforge.cli import parse_stage_args
from fragmentforge.common import fresh_dir, replace_dir, sha256_file
from fragmentforge.config import Params
from fragmentforge import plugins
from fragmentforge.descriptions.records import DATASET as DESCRIPTION_DATASET
from fragmentforge.descriptions.records import read_split
from fragmentforge.descriptions.records import sharegpt as description_target
from fragmentforge.layout import DESCRIPTIONS, LLAMAFACTORY, OPEN_QUESTIONS, layout
from fragmentforge.microactions.open_ended import sharegpt
from fragmentforge.tasks import levels
from fragmentforge.tasks.export import export_llamafactory


class GateNotPassed(RuntimeError):
    pass


def export_tasks(params: Params, root: Path) -> dict:
    qa_path, gate_path = layout(params, root).qa, layout(params, root).gate_report
    if not gate_path.is_file():
        raise GateNotPassed(f"no gate report at {gate_path}: run the task_gate node first")
    gate = json.loads(gate_path.read_text())
    if not gate["success"]:
        raise GateNotPassed(f"the task gate failed ({gate_path}); nothing exported")
    if gate["data_hash"] != sha256_file(qa_path):
        raise GateNotPassed(f"{qa_path} changed after it was validated; validate again")
    described = qa_path.with_name(DESCRIPTIONS)
    if gate.get("descriptions_hash") != (sha256_file(described) if described.is_file() else None):
        raise GateNotPassed(f"{described} changed after it was validated; validate again")
    out = root / params.paths.exports_dir
    staging = fresh_dir(out.with_name(out.name + ".staging"))
    opened = qa_path.with_name(OPEN_QUESTIONS)
    free = [sharegpt(r) for r in pq.read_table(opened).to_pylist() if r["split"] == "train"] if opened.is_file() else []
    described_rows = [description_target(r, params.tasks.descriptions.grounded)
                      for r in read_split(qa_path.parent, "train")]
    counts = export_llamafactory(pq.read_table(qa_path).to_pylist(), staging / LLAMAFACTORY,
                                 {plugins.load(levels, "ma_bench").DATASET: free, DESCRIPTION_DATASET: described_rows})
    replace_dir(staging, out)
    return counts


def main(argv=None) -> None:
    params, root = parse_stage_args("Export validated proxy tasks for LLaMA-Factory.", argv)
    counts = export_tasks(params, root)
    print("export: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
