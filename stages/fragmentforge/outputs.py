"""Print where the pipeline's outputs are and what they hold (the end of `make run`)."""
from __future__ import annotations

import json

from fragmentforge.cli import parse_stage_args
from fragmentforge.layout import INGEST_SUMMARY, REPORT_HTML, TASKS_SUMMARY, TRAINING_RECORD, layout


def main(argv=None) -> None:
    params, root = parse_stage_args("Show where the outputs of the last run are.", argv)
    root = root.resolve()
    where = layout(params, root)
    raw = root / params.paths.raw_dir
    print("outputs:")
    print(f"  synthetic clips  {root / params.paths.synthetic_dir}")
    print(f"  raw manifest     {where.manifest}")
    print(f"  keyframe sets    {where.keyframes}")
    print(f"  QA records       {where.qa}")
    print(f"  task gate report {where.gate_report}")
    print(f"  LLaMA-Factory    {where.llamafactory}")
    summary = root / params.paths.tasks_dir / TASKS_SUMMARY
    if summary.exists():
        counts = json.loads(summary.read_text())["per_task_split"]
        print("  QA records per task/split: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if (raw / INGEST_SUMMARY).exists():
        print(f"  ingest summary   {json.loads((raw / INGEST_SUMMARY).read_text())}")
    print(f"  model registry   {params.models.registry if params.models.registry.startswith('s3://') else root / params.models.registry}")
    adapters = root / params.paths.adapters_dir
    for record in sorted(adapters.glob(f"*/*/{TRAINING_RECORD}")):
        rec = json.loads(record.read_text())
        if rec.get("fused_from"):
            print(f"  adapter          {record.parent}  (fused: {rec['fusion_weight']} x {rec['fused_from']})")
            continue
        loss = "n/a (no step logged)" if rec["final_loss"] is None else f"{rec['final_loss']:.3f}"
        print(f"  adapter          {record.parent}  (steps {rec['steps']}, final loss {loss}, "
              f"{rec['samples_per_second']} samples/s on {rec['device']})")
    print(f"  evaluations      {root / params.paths.eval_dir}")
    for base in params.models.base_models:
        report = where.report(base) / REPORT_HTML
        if report.exists():
            print(f"  REPORT {base}: {report}  (and report.md)")
    print(f"  results database {root / params.paths.results_db}")


if __name__ == "__main__":
    main()
