"""Sweep: LoRA recipes on a validation split carved from the training videos, never the benchmark.

    make sweep-recipes         (or: python -m tests.benchmarks.sweep_recipes [NAME ...]; needs `make run`)

A fixed fifth of the training videos (by a hash of the video id) is held out. Each row trains
`sft` on the scene data and `sf2t` on the fragment data of the other videos, with the row's
changes to `training`, through the pipeline's own `train_variant`, and scores the held-out
videos' questions of the same level (in the reply form they were trained in). It prints per
level the accuracy, the share of the most frequent predicted letter or option text (the
collapse check), the final loss against the prior loss, and the wall time. The benchmark's test split is not read.
"""
from __future__ import annotations

import hashlib
from collections import Counter
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from fragmentforge.config import load_params
from fragmentforge.config.schema import VariantSpec
from fragmentforge.evaluate.collapse import letter_spread
from fragmentforge.evaluate.likelihood import reply_is, score_by_reply
from fragmentforge.evaluate.model_io import load_model, media_files, option_texts, user_turn
from fragmentforge.layout import layout
from fragmentforge.models.build import open_registry
from fragmentforge.training.runner import train_variant

# name -> changes to params.training (and a variant's epochs)
ROWS = {
    "default": {},
    "lr 1e-3": {"learning_rate": 1e-3},
    "lr 2e-2": {"learning_rate": 2e-2},
    "rank 32": {"lora_rank": 32, "lora_alpha": 64},
    "3 epochs": {"epochs": 3},
    "language only": {"tune": "language"},
    "10 epochs": {"epochs": 10},  # far past the budget: does the scene level learn given the steps?
}
LEVELS = {"sft_train": "sft", "sf2t_train": "sf2t"}


def held_out(row: dict) -> bool:
    video = Path(media_files(row)[0]).parent.name
    return int(hashlib.sha256(f"sweep:{video}".encode()).hexdigest(), 16) % 5 == 0


def split_datasets(source: Path, out: Path) -> dict[str, list[dict]]:
    """Train parts into out (with dataset_info.json); returns the validation rows per dataset."""
    out.mkdir(parents=True, exist_ok=True)
    info = json.loads((source / "dataset_info.json").read_text())
    validation, kept = {}, {}
    for name in LEVELS:
        rows = json.loads((source / info[name]["file_name"]).read_text())
        validation[name] = [r for r in rows if held_out(r)]
        validation[f"{name}:prior"] = blind_prior([r for r in rows if not held_out(r)], validation[name])
        (out / info[name]["file_name"]).write_text(json.dumps([r for r in rows if not held_out(r)]))
        kept[name] = info[name]
    (out / "dataset_info.json").write_text(json.dumps(kept))
    return validation


def answer_text(row: dict) -> str:
    reply = row["messages"][1]["content"]
    return option_texts(user_turn(row)).get(reply, reply)


def blind_prior(train: list[dict], rows: list[dict]) -> float:
    """Accuracy on `rows` of picking the option text most often right in `train` among the
    options shown (ties split): the bar under text replies."""
    def key(row):
        return tuple(sorted(option_texts(user_turn(row)).values()))

    right = Counter((key(r), answer_text(r)) for r in train)
    total = 0.0
    for r in rows:
        counts = {t: right[(key(r), t)] for t in option_texts(user_turn(r)).values()}
        best = [t for t, c in counts.items() if c == max(counts.values())]
        total += (answer_text(r) in best) / len(best)
    return total / max(len(rows), 1)


def choice(row: dict, letter: str) -> str:
    """The collapse check's unit: the letter, or the option's text when the reply is text."""
    reply = row["messages"][1]["content"]
    texts = option_texts(user_turn(row))
    return letter if reply in texts else texts.get(letter, letter)


def run(name: str, changes: dict, params, root: Path, work: Path, validation: dict) -> list:
    registry = open_registry(params, root)
    base_name = params.models.base_models[0]
    entry = registry.describe(base_name)
    base_path = registry.local_copy(entry, root / params.paths.model_cache_dir)
    tune = changes.get("tune", "all")
    training = replace(params.training, **{k: v for k, v in changes.items() if k != "tune"})
    cells, started = [], time.time()
    for dataset, variant_name in LEVELS.items():
        spec = next(v for v in params.training.variants if v.name == variant_name)
        variant = VariantSpec(name=variant_name, datasets=(dataset,), tune=tune,
                              epochs=changes.get("epochs", spec.epochs))
        result = train_variant(base=entry, base_path=base_path, variant=variant, training=training,
                               dataset_dir=work / "datasets", media_dir=root, adapters_root=work / name / "adapters",
                               work_root=work / name / "work", cuda=False)
        rows = validation[dataset]
        scored = score_by_reply(load_model(base_path, result.adapter_dir, "cpu"), rows, root, 32)
        accuracy = sum(reply_is(r, s["prediction"]) for r, s in zip(rows, scored)) / len(rows)
        spread = letter_spread(choice(r, s["prediction"]) for r, s in zip(rows, scored))
        rec = result.record
        cells += [f"{100 * accuracy:.1f}", f"{100 * spread['top_share']:.0f}%",
                  f"{rec['final_loss']:.3f}/" + (f"{prior:.3f}" if (prior := rec["letter_prior_loss"]) is not None else "–")]
    return [name, *cells, f"{time.time() - started:.0f}"]


def main(argv=None) -> None:
    args = list(argv if argv is not None else sys.argv[1:])
    if "--scene" in args:  # the scene tasks only (sft_train): a quicker sweep of what they show
        args.remove("--scene")
        LEVELS.pop("sf2t_train")
    names = args or list(ROWS)
    root = Path(".").resolve()
    params = load_params(root / "params.yaml")
    header = ["row", *[c for level in LEVELS.values() for c in (f"{level} acc %", f"{level} top answer",
                                                                 f"{level} loss/prior")], "seconds"]
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header), flush=True)
    with tempfile.TemporaryDirectory(prefix="sweep-recipes-") as tmp:
        validation = split_datasets(layout(params, root).llamafactory, Path(tmp) / "datasets")
        for name in names:
            print("| " + " | ".join(run(name, ROWS[name], params, root, Path(tmp), validation)) + " |", flush=True)
    print("validation, questions of held-out training videos; a blind pick of the most often right option text "
          "scores: " + "; ".join(f"{len(validation[d])} {level} questions, blind {100 * validation[d + ':prior']:.1f}%"
                                 for d, level in LEVELS.items()))


if __name__ == "__main__":
    main()
