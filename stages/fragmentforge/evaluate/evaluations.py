"""Node `evaluations`: the benchmark (test-split QA records) for each base model and each of its variants.

Output: <paths.eval_dir>/<base>/<variant>/predictions.parquet, fineagent.parquet (the FineBench
questions again under each FineAgent helper setting, evaluation.fineagent), open_ended.parquet
(MA-Bench's MADU and MARE answers with the judge's 0-5 scores), descriptions.parquet (Tarsier2's
descriptions of the test videos with their AutoDQ precision and recall) and run.json (the report
step loads them into the results database). Variant "base" is the model without an adapter. A run whose id (base, adapter, data, params, code hashes) is
unchanged is not evaluated again. On the CPU, models are evaluated side by side in
`evaluation.parallel` processes of `evaluation.threads` threads each.
"""
from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fragmentforge.cli import parse_base_stage_args
from fragmentforge.common import replace_dir, write_json_atomic
from fragmentforge.config import Params
from fragmentforge.dvc_metrics import write_evaluation_metrics
from fragmentforge.evaluate.fineagent import TASK as FINEBENCH
from fragmentforge.evaluate.fineagent import helper_questions
from fragmentforge.evaluate.identity import benchmark, now, run_record
from fragmentforge.evaluate.model_io import load_model, pick_device
from fragmentforge.evaluate.runner import metric_rows, predict
from fragmentforge.evaluate import descriptions
from fragmentforge.evaluate.open_ended import SCORES_SCHEMA, answer_and_score, judge_identity, test_questions
from fragmentforge.lanes import lane_pool
from fragmentforge.layout import DESCRIPTION_SCORES, FINEAGENT, OPEN_SCORES, PREDICTIONS, RUN, layout
from fragmentforge.models.build import open_registry
from fragmentforge.models.families import family_name
from fragmentforge.variants import adapter_hash, mean_task_accuracy, trained

@dataclass(frozen=True)
class Benchmark:
    """What every model of one base answers: worked out once, shared with the lanes."""
    params: Params
    root: Path
    base_name: str
    base_path: Path
    device: str
    questions: list
    helped: list
    open_rows: list
    described_rows: list


def evaluate_base_model(params: Params, root: Path, base_name: str) -> list[dict]:
    root = root.resolve()
    where = layout(params, root)
    registry = open_registry(params, root)
    entry = registry.describe(base_name)
    base_path = registry.local_copy(entry, where.dir("model_cache_dir"))
    questions, dataset_hash = benchmark(params, root)
    device = pick_device(params.evaluation.device)
    bench = Benchmark(params, root, base_name, base_path, device, questions,
                      helper_questions(questions, video_truths(where.manifest, root, questions), params.evaluation.fineagent),
                      test_questions(where.dir("tasks_dir")), descriptions.test_descriptions(where.dir("tasks_dir")))
    models = trained(params, root, base_name)
    remove_stale(where.dir("eval_dir") / base_name, {variant for variant, _ in models})
    summaries, todo = {}, []
    for variant, adapter in models:
        run = run_record(base_name, entry.content_hash, variant, adapter_hash(adapter), dataset_hash,
                         params.evaluation, device, len(questions), family=family_name(base_path),
                         judge=judge_identity(params.judge))
        out = where.evaluation(base_name, variant)
        if (out / RUN).is_file() and json.loads((out / RUN).read_text())["run"]["run_id"] == run["run_id"]:
            summaries[variant] = json.loads((out / RUN).read_text())
        else:
            todo.append((variant, adapter, run))
    # Side by side on the CPU, each lane on evaluation.threads threads (the same predictions).
    lanes = max(1, min(params.evaluation.parallel, len(todo))) if device == "cpu" else 1
    with lane_pool(lanes, params.evaluation.threads) as pool:
        futures = {variant: pool.submit(evaluate_one, bench, adapter, run) for variant, adapter, run in todo}
        summaries.update((variant, future.result()) for variant, future in futures.items())
    write_evaluation_metrics(params, root, base_name)
    return [summaries[variant] for variant, _ in models]


def evaluate_one(bench: Benchmark, adapter: Path | None, run: dict) -> dict:
    """One model through every benchmark question; its outputs swapped into place whole."""
    params, root = bench.params, bench.root
    out = layout(params, root).evaluation(bench.base_name, run["variant"])
    clock = time.perf_counter()
    loaded = load_model(bench.base_path, adapter, bench.device)
    predictions = [dict(p, run_id=run["run_id"]) for p in predict(loaded, bench.questions, params.evaluation, root)]
    assisted = [dict(p, run_id=run["run_id"], helpers=h) for (h, _), p in
                zip(bench.helped, predict(loaded, [q for _, q in bench.helped], params.evaluation, root))]
    opened = answer_and_score(loaded, bench.open_rows, params, root, run["run_id"])
    described = descriptions.describe_and_score(loaded, bench.described_rows, params, root, run["run_id"])
    del loaded
    run = dict(run, ended_at=now())
    staging = out.with_name(out.name + ".staging")
    staging.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(predictions), staging / PREDICTIONS)
    pq.write_table(pa.Table.from_pylist(assisted, schema=FINEAGENT_SCHEMA), staging / FINEAGENT)
    pq.write_table(pa.Table.from_pylist(opened, schema=SCORES_SCHEMA), staging / OPEN_SCORES)
    pq.write_table(pa.Table.from_pylist(described, schema=descriptions.SCORES_SCHEMA), staging / DESCRIPTION_SCORES)
    summary = {"run": run, "metrics": metric_rows(run["run_id"], bench.questions, predictions, params.evaluation),
               "seconds": time.perf_counter() - clock}
    write_json_atomic(staging / RUN, summary)
    replace_dir(staging, out)
    return summary


FINEAGENT_SCHEMA = pa.schema([
    ("run_id", pa.string()), ("qa_id", pa.string()), ("helpers", pa.string()), ("video_id", pa.string()),
    ("answer", pa.string()), ("prediction", pa.string()), ("correct", pa.bool_()), ("option_scores", pa.string()),
    ("parse_status", pa.string()), ("reply", pa.string())])


def video_truths(manifest: Path, root: Path, questions: list) -> dict[str, dict]:
    """The ground truth of every video the FineBench questions show (FineAgent's annotation-based helpers)."""
    wanted = {q.video_id for q in questions if q.task == FINEBENCH}
    if not wanted:
        return {}
    rows = pq.read_table(manifest, columns=["video_id", "status", "ground_truth"]).to_pylist()
    return {r["video_id"]: json.loads((root / r["ground_truth"]).read_text()) for r in rows
            if r["status"] == "ok" and r["video_id"] in wanted and r["ground_truth"]}


def remove_stale(folder: Path, current: set[str]) -> None:
    """Drop the outputs of variants no longer in params (and half-written staging folders): the
    folder persists between runs, so unchanged runs are reused."""
    if folder.is_dir():
        for child in folder.iterdir():
            if child.is_dir() and child.name not in current:
                shutil.rmtree(child)


def main(argv=None) -> None:
    params, root, bases, _ = parse_base_stage_args("Evaluate base models and their adapters on the benchmark.", argv)
    for base in bases:
        for summary in evaluate_base_model(params, root, base):
            mean = mean_task_accuracy(summary["metrics"])
            print(f"evaluations {base}/{summary['run']['variant']}: {summary['run']['questions']} questions, "
                  f"mean task accuracy {mean if mean is None else round(mean, 3)}, run {summary['run']['run_id']}")


if __name__ == "__main__":
    main()
