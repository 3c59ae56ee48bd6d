"""A tool (not a DAG node): an external QA file in MVBench's JSON format against a folder of videos.

    python -m fragmentforge.evaluate_external --qa mvbench_action.json --videos videos/ [--base M] [--variant V]

Frames are sampled once and cached (paths.eval_cache_dir). Results go to the runs, predictions
and metrics tables like the built-in benchmark's; entries whose video is missing or does not
decode are listed with the reason and left out of the run.
"""
from __future__ import annotations

from pathlib import Path

from fragmentforge.cli import parse_args
from fragmentforge.common import sha256_file
from fragmentforge.evaluate.external import build_questions
from fragmentforge.evaluate.identity import EXTERNAL_CODE, now, questions_hash, run_record
from fragmentforge.evaluate.model_io import load_model, pick_device
from fragmentforge.evaluate.runner import metric_rows, predict
from fragmentforge.layout import layout
from fragmentforge.models.build import open_registry
from fragmentforge.models.families import family_name
from fragmentforge.results_db import locked_connection, record_evaluation
from fragmentforge.variants import BASE, adapter_hash


def evaluate_external(params, root: Path, qa_file: Path, videos: Path, base: str, variant: str = BASE):
    root = root.resolve()
    where, ev = layout(params, root), params.evaluation
    questions, problems = build_questions(qa_file, videos, where.dir("eval_cache_dir"), root, ev.external_frames,
                                          params.keyframes, ev.external_time_limit_s)
    registry = open_registry(params, root)
    entry = registry.describe(base)
    adapter = None if variant == BASE else where.adapter(base, variant)
    device = pick_device(ev.device)
    base_path = registry.local_copy(entry, where.dir("model_cache_dir"))
    run = run_record(base, entry.content_hash, variant, adapter_hash(adapter), questions_hash(sha256_file(qa_file), questions, root),
                     ev, device, len(questions), EXTERNAL_CODE, family=family_name(base_path))
    loaded = load_model(base_path, adapter, device)
    predictions = [dict(p, run_id=run["run_id"]) for p in predict(loaded, questions, ev, root)]
    metrics = metric_rows(run["run_id"], questions, predictions, ev)
    run["ended_at"] = now()
    with locked_connection(root / params.paths.results_db) as conn:
        record_evaluation(conn, run, predictions, metrics)
    return run, metrics, problems


def main(argv=None) -> None:
    def more(parser):
        parser.add_argument("--qa", required=True, type=Path, help="JSON list: video, question, candidates, answer")
        parser.add_argument("--videos", required=True, type=Path, help="folder the entries' video paths are under")
        parser.add_argument("--base", help="base model (default: the first of models.base_models)")
        parser.add_argument("--variant", default=BASE, help="adapter variant, or 'base' for none")

    params, root, args = parse_args("Evaluate a model on an MVBench-format QA file.", argv, more)
    run, metrics, problems = evaluate_external(params, root, args.qa, args.videos,
                                               args.base or params.models.base_models[0], args.variant)
    overall = next((m for m in metrics if m["n"] is None), None)
    if overall:
        print(f"{run['questions']} questions: accuracy {overall['accuracy']:.3f} "
              f"[{overall['ci_low']:.3f}, {overall['ci_high']:.3f}], chance {overall['chance']:.3f}, "
              f"unparseable {overall['unparseable']}; run {run['run_id']}")
    for p in problems:
        print(f"  skipped entry {p['index']} ({p['video']}): {p['reason']}")


if __name__ == "__main__":
    main()
