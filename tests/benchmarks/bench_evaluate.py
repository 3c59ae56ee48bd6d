"""Benchmark: batched evaluation against a one-question-at-a-time loop, same model and questions;
and option scoring with the visual embeddings cached per image against encoding every question's
frames again.

    make bench-evaluate        (or: python -m tests.benchmarks.bench_evaluate)

Uses the benchmark questions and the sf2t adapter of the last `make run`, in both scoring
modes. Rounds alternate the two sides (these machines are noisy); prints median questions/s,
the ratio (target >= 3x for batching) and whether the predictions are identical. The cache is
measured on every benchmark question plus FineAgent's helper questions, as an evaluation run
scores them, each cached round starting empty.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import replace
from pathlib import Path

from fragmentforge.config import load_params
from fragmentforge.evaluate.model_io import load_model
from fragmentforge.evaluate.questions import load_questions
from fragmentforge.evaluate.runner import predict
from fragmentforge.layout import layout

ROUNDS = 3
QUESTIONS = 320  # the whole default benchmark
TARGET = 3.0


def main() -> None:
    root = Path(".").resolve()
    params = load_params(root / "params.yaml")
    base = params.models.base_models[0]
    adapter = root / params.paths.adapters_dir / base / "sf2t"
    qa = layout(params, root).qa
    if not qa.exists() or not adapter.exists():
        raise SystemExit("no benchmark questions or sf2t adapter: run `make run` first")
    questions = load_questions(qa)[:QUESTIONS]
    model = load_model(root / params.models.registry / base, adapter, params.evaluation.device)
    print(f"{len(questions)} questions, {base} + sf2t, device {model.device}, batch size "
          f"{params.evaluation.batch_size} vs 1, {ROUNDS} interleaved rounds")
    for scoring in ("likelihood", "generation"):
        batched_params = replace(params.evaluation, scoring=scoring)
        single_params = replace(batched_params, batch_size=1)
        rates = {"batched": [], "single": []}
        outputs = {}
        for _ in range(ROUNDS):
            for name, p in (("batched", batched_params), ("single", single_params)):
                started = time.perf_counter()
                outputs[name] = predict(model, questions, p, root)
                rates[name].append(len(questions) / (time.perf_counter() - started))
        same = [a["prediction"] for a in outputs["batched"]] == [b["prediction"] for b in outputs["single"]]
        batched, single = statistics.median(rates["batched"]), statistics.median(rates["single"])
        print(f"{scoring:>10}: batched {batched:6.1f} q/s | one at a time {single:6.1f} q/s | "
              f"ratio {batched / single:.2f}x (target >= {TARGET:.0f}x) | identical predictions: {same}")
    vision_cache(model, params, root)


def vision_cache(model, params, root: Path) -> None:
    from fragmentforge.evaluate import likelihood
    from fragmentforge.evaluate.evaluations import video_truths
    from fragmentforge.evaluate.fineagent import helper_questions

    where = layout(params, root)
    questions = load_questions(where.qa)
    helped = helper_questions(questions, video_truths(where.manifest, root, questions), params.evaluation.fineagent)
    questions += [q for _, q in helped]
    limit, rates, outputs = likelihood.VISION_CACHE_BYTES, {"cached": [], "uncached": []}, {}
    try:
        for _ in range(ROUNDS):
            for name, cap in (("cached", limit), ("uncached", 0)):
                likelihood.VISION_CACHE_BYTES = cap
                model.vision_cache.clear()
                started = time.perf_counter()
                outputs[name] = predict(model, questions, params.evaluation, root)
                rates[name].append(len(questions) / (time.perf_counter() - started))
    finally:
        likelihood.VISION_CACHE_BYTES = limit
    same = [a["prediction"] for a in outputs["cached"]] == [b["prediction"] for b in outputs["uncached"]]
    cached, uncached = statistics.median(rates["cached"]), statistics.median(rates["uncached"])
    print(f"vision cache, {len(questions)} questions: cached {cached:6.1f} q/s | re-encoded {uncached:6.1f} q/s | "
          f"ratio {cached / uncached:.2f}x | identical predictions: {same}")


if __name__ == "__main__":
    main()
