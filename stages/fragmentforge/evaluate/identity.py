"""An evaluation run's identity: everything that can change a prediction or its metrics, and
nothing that cannot (batch size, progress bars, time limits, report formatting).

- the base model's and the adapter's content hashes;
- the questions: the QA file's bytes and the bytes of every frame they show;
- the params that change predictions or metrics (PREDICTION_PARAMS);
- the code that turns a question into a prediction, from the import graph of PREDICTION_CODE:
  prompt construction (fragmentforge.tasks.record / export), frame loading, scoring, parsing;
- the base model's name and the variant (two names for the same weights are two runs);
- the versions of the libraries that compute predictions (torch, transformers, peft);
- the device predictions run on.
"""
from __future__ import annotations

import hashlib
import json
import time
from functools import lru_cache
from pathlib import Path

from fragmentforge import lineage
from fragmentforge.layout import PROJECT_ROOT

PREDICTION_PARAMS = ("scoring", "likelihood_target", "max_new_tokens", "bootstrap_resamples", "seed",
                     "max_questions", "fineagent", "open_ended_max_new_tokens", "description_max_new_tokens")
PREDICTION_CODE = ("fragmentforge.evaluate.runner", "fragmentforge.evaluate.questions",
                   "fragmentforge.evaluate.model_io", "fragmentforge.evaluate.fineagent",
                   "fragmentforge.evaluate.open_ended", "fragmentforge.evaluate.descriptions")
EXTERNAL_CODE = PREDICTION_CODE + ("fragmentforge.evaluate.external",)  # and its frame sampler


def params_hash(evaluation, judge: str = "") -> str:
    """The prediction params, and (when given) the judge's identity: it scores the open-ended answers."""
    picked = {key: getattr(evaluation, key) for key in PREDICTION_PARAMS}
    if judge:
        picked["judge"] = judge
    return hashlib.sha256(json.dumps(picked, sort_keys=True).encode()).hexdigest()[:16]


@lru_cache(maxsize=8)
def code_version(modules: tuple[str, ...] = PREDICTION_CODE, root: Path = PROJECT_ROOT) -> str:
    return lineage.code_digest(root, *modules)


def questions_hash(qa_bytes_hash: str, questions, root: Path) -> str:
    """The QA file's hash and the bytes of every frame (or video) the questions show."""
    digest = hashlib.sha256(qa_bytes_hash.encode())
    from fragmentforge.evaluate.model_io import media_files

    shown = {f for q in questions for f in media_files(q.row)}
    for frame in sorted(shown):
        path = Path(root) / frame
        digest.update(frame.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"<missing>") + b"\0")
    return digest.hexdigest()


def benchmark(params, root: Path):
    """(questions, dataset hash) of the built-in benchmark: the test split of the QA records."""
    from fragmentforge.common import sha256_file
    from fragmentforge.evaluate.questions import load_questions
    from fragmentforge.layout import layout

    from fragmentforge.layout import DESCRIPTIONS, OPEN_QUESTIONS

    qa = layout(params, root).qa
    questions = load_questions(qa)
    if params.evaluation.max_questions is not None:
        questions = questions[:params.evaluation.max_questions]
    # MA-Bench's open-ended questions and the description records beside the QA records, and the
    # frames the test descriptions show
    files = sha256_file(qa) + "".join(sha256_file(qa.with_name(name)) for name in (OPEN_QUESTIONS, DESCRIPTIONS)
                                      if qa.with_name(name).is_file())
    described = qa.with_name(DESCRIPTIONS)
    if described.is_file():
        import pyarrow.parquet as pq

        shown = sorted({f for r in pq.read_table(described, columns=["split", "frames"]).to_pylist()
                        if r["split"] == "test" for f in r["frames"]})
        files += hashlib.sha256(b"".join(f.encode() + b"\0" + (Path(root) / f).read_bytes() for f in shown)).hexdigest()
    return questions, questions_hash(files, questions, root)


@lru_cache(maxsize=1)
def library_versions() -> str:
    from importlib.metadata import version

    return ",".join(f"{name}={version(name)}" for name in ("torch", "transformers", "peft"))


def run_record(base: str, base_hash: str, variant: str, adapter_hash: str | None, dataset_hash: str,
               evaluation, device: str, questions: int, code_modules: tuple[str, ...] = PREDICTION_CODE,
               family: str | None = None, judge: str = "") -> dict:
    """The run's identity and lineage, as the runs table stores it (the end time is filled in later).
    `family` (the base model's family module) is lineage only: the base hash already fixes it."""
    p_hash, code = params_hash(evaluation, judge), code_version(code_modules)
    run_id = hashlib.sha256("|".join([base, variant, base_hash, adapter_hash or "-", dataset_hash, p_hash, code,
                                      library_versions(), device]).encode()).hexdigest()[:20]
    return {"run_id": run_id, "base_model": base, "base_hash": base_hash, "variant": variant,
            "adapter_hash": adapter_hash, "dataset_hash": dataset_hash, "params_hash": p_hash,
            "code_version": code, "device": device, "scoring": evaluation.scoring, "questions": questions,
            "started_at": now(), "family": family}


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
