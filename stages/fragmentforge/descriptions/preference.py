"""Tarsier2's preference pairs (§3.3): the policy describes a video's real frames (chosen) and a
corruption of them (rejected); AutoDQ against the reference keeps a pair only when the chosen
side is no worse in recall or precision and better by δ in their sum.

Run by the adapters node before a `stage: dpo` variant that trains on `description_pairs`: the
policy is that variant's parent (base + its adapter). The prompts are each train video's first
`views` views; each gets `corruptions_per_video` of the corruptions its record carries, taken in
turn over the prompts so every kind is used about equally. Prompts the judge cannot score are
not sampled for. Replies are sampled (temperature, top_p) with a seed per batch. Output, in the
given folder: dataset_info.json and description_pairs.json (LLaMA-Factory's ranking format, the
prompt showing the real frames), candidates.parquet (every candidate with both scores and the
conditions it failed) and filter.json (the counts).
"""
from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from fragmentforge.common import sha256_file, write_json_atomic
from fragmentforge.descriptions import judging
from fragmentforge.descriptions.autodq import delta_filter
from fragmentforge.descriptions.events import strip_grounding
from fragmentforge.descriptions.records import read_split, record_events, sharegpt
from fragmentforge.layout import DESCRIPTIONS
from fragmentforge.tasks.export import TAGS

PAIRS_DATASET = "description_pairs"
FILTER, CANDIDATES = "filter.json", "candidates.parquet"
CONDITIONS = ("delta_recall<0", "delta_precision<0", "sum<delta")


def train_rows(tasks_dir: Path, views: int) -> list[dict]:
    """Each train video's first `views` views (the evenly spaced one first): one prompt each."""
    return [r for r in read_split(tasks_dir, "train") if int(r["desc_id"].rsplit(":", 1)[1]) < views]


def candidates(rows: list[dict], per_video: int) -> list[tuple[dict, str]]:
    """(row, corruption kind): each prompt's next `per_video` kinds, in turn over the prompts (a
    video's views, next to each other, get different kinds)."""
    out = []
    for i, row in enumerate(rows):
        kinds = sorted(json.loads(row["corruptions"]))
        out += [(row, kinds[(i * per_video + k) % len(kinds)]) for k in range(min(per_video, len(kinds)))]
    return out


def pairs_key(params, tasks_dir: Path, parent_hash: str, base_hash: str, code: str) -> str:
    """Everything the pairs depend on: the records, the policy, the sampling, the judge, the code."""
    from fragmentforge.evaluate.open_ended import judge_identity

    payload = {"descriptions": sha256_file(Path(tasks_dir) / DESCRIPTIONS), "parent": parent_hash, "base": base_hash,
               "preference": vars(params.training.preference), "grounded": params.tasks.descriptions.grounded,
               "judge": judge_identity(params.judge), "code": code}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:24]


def build_pairs(params, root: Path, loaded, out_dir: Path, key: str) -> dict:
    """Generate, score and filter; writes the dataset folder and returns filter.json's content."""
    from fragmentforge.evaluate.generation import generate_rows

    pref = params.training.preference
    every = train_rows(root / params.paths.tasks_dir, pref.views)
    rows = [r for r in every if judging.can_judge(record_events(r), params.judge)]  # no sampling in vain
    chosen_rows = [sharegpt(r, params.tasks.descriptions.grounded) for r in rows]
    todo = candidates(rows, pref.corruptions_per_video)
    corrupted_rows = []
    for row, kind in todo:
        shown = json.loads(row["corruptions"])[kind]["frames"]
        corrupted_rows.append(sharegpt(row, params.tasks.descriptions.grounded, shown))
    sampling = None if pref.temperature == 0 else (pref.temperature, pref.top_p, params.training.seed)
    generate = lambda batch: generate_rows(loaded, batch, root, pref.batch_size, pref.max_new_tokens, sampling)  # noqa: E731
    chosen = dict(zip((r["desc_id"] for r in rows), generate(chosen_rows)))
    prompts = dict(zip((r["desc_id"] for r in rows), chosen_rows))
    rejected = generate(corrupted_rows)
    items = [judging.item_for(f"chosen:{r['desc_id']}", strip_grounding(chosen[r["desc_id"]]), r["reference"],
                              record_events(r)) for r in rows]
    items += [judging.item_for(f"rejected:{row['desc_id']}:{kind}", strip_grounding(reply), row["reference"],
                               record_events(row)) for (row, kind), reply in zip(todo, rejected)]
    scored, stats = judging.score(items, params.judge, root / params.paths.eval_cache_dir / "judge")
    by_id = {s.item_id: s for s in scored}
    table, kept = [], []
    for (row, kind), reply in zip(todo, rejected):
        good, bad = by_id[f"chosen:{row['desc_id']}"], by_id[f"rejected:{row['desc_id']}:{kind}"]
        if good.dq is None or bad.dq is None:
            failed = [f"not judged: {(good if good.dq is None else bad).reason}"]
        else:
            failed = delta_filter(good.dq, bad.dq, pref.delta)
        table.append({"desc_id": row["desc_id"], "video_id": row["video_id"], "corruption": kind,
                      "chosen": chosen[row["desc_id"]], "rejected": reply,
                      "chosen_recall": good.dq.recall if good.dq else None,
                      "chosen_precision": good.dq.precision if good.dq else None,
                      "rejected_recall": bad.dq.recall if bad.dq else None,
                      "rejected_precision": bad.dq.precision if bad.dq else None,
                      "failed": "; ".join(failed), "kept": not failed})
    for i in selected(table, pref.filter, params.training.seed):
        record = table[i]
        prompt = prompts[record["desc_id"]]
        kept.append({"messages": prompt["messages"][:1], "chosen": {"role": "assistant", "content": record["chosen"]},
                     "rejected": {"role": "assistant", "content": record["rejected"]}, "images": prompt["images"]})
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{PAIRS_DATASET}.json").write_text(json.dumps(kept, indent=1, ensure_ascii=False))
    write_json_atomic(out_dir / "dataset_info.json", {PAIRS_DATASET: {
        "file_name": f"{PAIRS_DATASET}.json", "formatting": "sharegpt", "ranking": True,
        "columns": {"messages": "messages", "chosen": "chosen", "rejected": "rejected", "images": "images"},
        "tags": TAGS}})
    pq.write_table(pa.Table.from_pylist(table), out_dir / CANDIDATES)
    summary = {"key": key, "prompts": len(rows), "prompts_the_judge_cannot_score": len(every) - len(rows),
               "candidates": len(table), "kept": len(kept), "delta": pref.delta, "filter": pref.filter,
               "failed": {c: sum(c in r["failed"].split("; ") for r in table) for c in CONDITIONS},
               "first_failed": {c: sum(r["failed"].split("; ")[0] == c for r in table) for c in CONDITIONS},
               "not_judged": sum(r["failed"].startswith("not judged") for r in table),
               "per_corruption": {k: {"candidates": sum(r["corruption"] == k for r in table),
                                      "kept": sum(r["corruption"] == k and r["kept"] for r in table)}
                                  for k in sorted({r["corruption"] for r in table})},
               "judge": stats, "sampling": {"temperature": pref.temperature, "top_p": pref.top_p}}
    write_json_atomic(out_dir / FILTER, summary)
    return summary


def selected(table: list[dict], use_filter: bool, seed: int) -> list[int]:
    """The candidates that become pairs: those the filter keeps; without the filter (Tarsier2's
    "w/o PF" ablation), as many drawn at random from every judged candidate, so the two differ
    in which pairs, not how many."""
    passed = [i for i, r in enumerate(table) if r["kept"]]
    if use_filter:
        return passed
    judged = [i for i, r in enumerate(table) if not r["failed"].startswith("not judged")]
    return sorted(random.Random(seed).sample(judged, len(passed)))


def preference_dataset(params, root: Path, base_path: Path, base_hash: str, parent_dir: Path, out_dir: Path) -> dict:
    """The pairs folder for a dpo variant whose parent adapter is `parent_dir`: reused when its
    key is unchanged, else built again. Returns filter.json's content."""
    from fragmentforge import lineage
    from fragmentforge.evaluate.model_io import load_model, pick_device
    from fragmentforge.layout import PROJECT_ROOT, TRAINING_RECORD

    parent_hash = json.loads((parent_dir / TRAINING_RECORD).read_text())["adapter_hash"]
    key = pairs_key(params, root / params.paths.tasks_dir, parent_hash, base_hash,
                    lineage.code_digest(PROJECT_ROOT, __name__))
    done = out_dir / FILTER
    if done.is_file() and json.loads(done.read_text()).get("key") == key:
        return json.loads(done.read_text())
    if out_dir.exists():
        import shutil

        shutil.rmtree(out_dir)
    loaded = load_model(base_path, parent_dir, pick_device(params.evaluation.device))
    return build_pairs(params, root, loaded, out_dir, key)
