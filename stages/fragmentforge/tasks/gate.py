"""Node `task_gate`: the Great Expectations gate over the proxy-task records.

Output (paths.validation_dir): tasks_gate.json, one entry per expectation (the report step
loads it into the task_validation table). Exits non-zero when any check fails, so `dvc repro`
stops before the export that training reads.
"""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from fragmentforge.cli import parse_stage_args
from fragmentforge.common import fresh_dir, replace_dir, sha256_file, write_json_atomic
from fragmentforge.config import Params
from fragmentforge.layout import DESCRIPTIONS, GATE_REPORT, layout
from fragmentforge.tasks.validate import GateResult, run_gate


def gate_report(gate: GateResult, data_hash: str, descriptions_hash: str | None = None) -> dict:
    return {"data_hash": data_hash, "descriptions_hash": descriptions_hash, "records": gate.records, "success": gate.success,
            "checks": {name: all(o.success for o in outcomes) for name, outcomes in gate.by_check().items()},
            "expectations": [asdict(o) for o in gate.outcomes]}


def validate_tasks(params: Params, root: Path) -> tuple[GateResult, dict]:
    """Run the gate and write its report whether it passes or not (the report step loads it
    into the results database's task_validation table)."""
    where = layout(params, root)
    qa_path, described = where.qa, where.qa.with_name(DESCRIPTIONS)
    descriptions = pq.read_table(described).to_pylist() if described.is_file() else []
    gate = run_gate(pd.read_parquet(qa_path), root, params.tasks, where.manifest, descriptions)
    report = gate_report(gate, sha256_file(qa_path), sha256_file(described) if described.is_file() else None)
    out = root / params.paths.validation_dir
    staging = fresh_dir(out.with_name(out.name + ".staging"))
    write_json_atomic(staging / GATE_REPORT, report)
    replace_dir(staging, out)
    return gate, report


def failure_text(gate: GateResult) -> str:
    return "; ".join(f"{o.check}: {o.expectation}({o.column}) unexpected={o.unexpected_count} {o.observed[:200]}"
                     for o in gate.failures())


def main(argv=None) -> None:
    params, root = parse_stage_args("Validate the proxy-task records (Great Expectations gate).", argv)
    gate, report = validate_tasks(params, root)
    passed = sum(report["checks"].values())
    print(f"task gate: {passed}/{len(report['checks'])} checks pass over {gate.records} records")
    if not gate.success:
        raise SystemExit(f"task gate failed: {failure_text(gate)}")


if __name__ == "__main__":
    main()
