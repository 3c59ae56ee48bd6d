"""Stage CLI: an external QA file in MVBench's JSON format against a folder of videos.

    python -m stages.evaluate_external --qa mvbench_action.json --videos videos/ [--base M] [--variant V]

Frames are sampled once and cached (data/eval_cache). Results go to the runs, predictions
and metrics tables like the built-in benchmark's; entries whose video is missing or does not
decode are listed with the reason and left out of the run.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

from stages.build_base_model import open_registry
from stages.common import sha256_file
from stages.config import ConfigError, load_params
from stages.evaluate.external import build_questions
from stages.evaluate.model_io import load_model, pick_device
from stages.evaluate.runner import metric_rows, predict
from stages.evaluate_models import BASE_VARIANT, code_version, evaluation_params_hash
from stages.results_db import locked_connection, record_evaluation
from stages.training.runner import RECORD

CACHE_DIR = "data/eval_cache"


def evaluate_external(params, root: Path, qa_file: Path, videos: Path, base: str, variant: str = BASE_VARIANT):
    root = root.resolve()
    ev = params.evaluation
    questions, problems = build_questions(qa_file, videos, root / CACHE_DIR, root, ev.external_frames,
                                          params.keyframes.frame_short_side, ev.external_time_limit_s)
    registry = open_registry(params, root)
    entry = registry.describe(base)
    adapter = None if variant == BASE_VARIANT else root / params.paths.adapters_dir / base / variant
    adapter_hash = json.loads((adapter / RECORD).read_text())["adapter_hash"] if adapter else None
    device = pick_device(ev.device)
    dataset_hash = sha256_file(qa_file)
    params_hash = evaluation_params_hash(params)
    run_id = hashlib.sha256("|".join([entry.content_hash, adapter_hash or "-", dataset_hash, params_hash,
                                      code_version(), device]).encode()).hexdigest()[:20]
    started = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    loaded = load_model(registry.local_copy(entry, root / params.paths.model_cache_dir), adapter, device)
    predictions = [dict(p, run_id=run_id) for p in predict(loaded, questions, ev, root)]
    metrics = metric_rows(run_id, questions, predictions, ev)
    run = {"run_id": run_id, "base_model": base, "base_hash": entry.content_hash, "variant": variant,
           "adapter_hash": adapter_hash, "dataset_hash": dataset_hash, "params_hash": params_hash,
           "code_version": code_version(), "device": device, "scoring": ev.scoring, "questions": len(questions),
           "started_at": started, "ended_at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())}
    with locked_connection(root / params.paths.results_db) as conn:
        record_evaluation(conn, run, predictions, metrics)
    return run, metrics, problems


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Evaluate a model on an MVBench-format QA file.")
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--root", default=".")
    parser.add_argument("--qa", required=True, type=Path, help="JSON list: video, question, candidates, answer")
    parser.add_argument("--videos", required=True, type=Path, help="folder the entries' video paths are under")
    parser.add_argument("--base", help="base model (default: the first of models.base_models)")
    parser.add_argument("--variant", default=BASE_VARIANT, help="adapter variant, or 'base' for none")
    args = parser.parse_args(argv)
    try:
        params = load_params(args.params)
    except ConfigError as exc:
        raise SystemExit(f"bad params: {exc}") from None
    run, metrics, problems = evaluate_external(params, Path(args.root), args.qa, args.videos,
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
