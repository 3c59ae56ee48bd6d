"""Stage: the benchmark (test-split QA records) for each base model and each of its variants.

Output: <paths.eval_dir>/<base>/<variant>/predictions.parquet and run.json (the report step
loads them into the results database's runs, predictions and metrics tables). Variant "base" is the model
without an adapter. A run whose id (base, adapter, data, params, code hashes) is
unchanged is not evaluated again.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from stages.build_base_model import open_registry
from stages.common import parse_base_stage_args, replace_dir, sha256_file, write_json_atomic
from stages.config import Params
from stages.evaluate.model_io import load_model, pick_device
from stages.evaluate.questions import load_questions
from stages.evaluate.runner import metric_rows, predict
from stages.proxy_tasks import QA_FILE
from stages.results_loader import PREDICTIONS_FILE, RUN_FILE
from stages.training.runner import RECORD

BASE_VARIANT = "base"
CODE_DIR = Path(__file__).resolve().parent / "evaluate"


def code_version() -> str:
    """Hash of the evaluator's own source: the code that produced the numbers."""
    digest = hashlib.sha256()
    for path in sorted(CODE_DIR.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def evaluation_params_hash(params: Params) -> str:
    return hashlib.sha256(json.dumps(asdict(params.evaluation), sort_keys=True).encode()).hexdigest()[:16]


def variants_of(params: Params, root: Path, base: str) -> list[tuple[str, Path | None]]:
    out = [(BASE_VARIANT, None)]
    for variant in params.training.variants:
        adapter = root / params.paths.adapters_dir / base / variant.name
        if (adapter / RECORD).is_file():
            out.append((variant.name, adapter))
    return out


def evaluate_base_model(params: Params, root: Path, base_name: str) -> list[dict]:
    root = root.resolve()
    registry = open_registry(params, root)
    entry = registry.describe(base_name)
    base_path = registry.local_copy(entry, root / params.paths.model_cache_dir)
    qa_path = root / params.paths.tasks_dir / QA_FILE
    questions = load_questions(qa_path)
    if params.evaluation.max_questions is not None:
        questions = questions[:params.evaluation.max_questions]
    dataset_hash = sha256_file(qa_path)
    params_hash = evaluation_params_hash(params)
    code = code_version()
    device = pick_device(params.evaluation.device)
    summaries = []
    for variant, adapter in variants_of(params, root, base_name):
        adapter_hash = json.loads((adapter / RECORD).read_text())["adapter_hash"] if adapter else None
        run_id = hashlib.sha256("|".join([entry.content_hash, adapter_hash or "-", dataset_hash, params_hash, code,
                                          device]).encode()).hexdigest()[:20]
        out = root / params.paths.eval_dir / base_name / variant
        if (out / RUN_FILE).is_file() and json.loads((out / RUN_FILE).read_text())["run"]["run_id"] == run_id:
            summaries.append(json.loads((out / RUN_FILE).read_text()))
            continue
        started = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
        clock = time.perf_counter()
        loaded = load_model(base_path, adapter, device)
        predictions = predict(loaded, questions, params.evaluation, root)
        del loaded
        metrics = metric_rows(run_id, questions, predictions, params.evaluation)
        run = {"run_id": run_id, "base_model": base_name, "base_hash": entry.content_hash, "variant": variant,
               "adapter_hash": adapter_hash, "dataset_hash": dataset_hash, "params_hash": params_hash,
               "code_version": code, "device": device, "scoring": params.evaluation.scoring,
               "questions": len(questions), "started_at": started,
               "ended_at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())}
        rows = [dict(p, run_id=run_id) for p in predictions]
        staging = out.with_name(out.name + ".staging")
        staging.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows), staging / PREDICTIONS_FILE)
        summary = {"run": run, "metrics": metrics, "seconds": time.perf_counter() - clock}
        write_json_atomic(staging / RUN_FILE, summary)
        replace_dir(staging, out)
        summaries.append(summary)
    return summaries


def main(argv=None) -> None:
    params, root, bases, _ = parse_base_stage_args("Evaluate base models and their adapters on the benchmark.", argv)
    for base in bases:
        for summary in evaluate_base_model(params, root, base):
            overall = [m for m in summary["metrics"] if m["n"] is None]
            mean = sum(m["accuracy"] for m in overall) / max(len(overall), 1)
            print(f"evaluate {base}/{summary['run']['variant']}: {summary['run']['questions']} questions, "
                  f"mean task accuracy {mean:.3f}, run {summary['run']['run_id']}")


if __name__ == "__main__":
    main()
