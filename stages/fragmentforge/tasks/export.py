"""LLaMA-Factory datasets from the QA records: a folder with dataset_info.json and sharegpt
JSON files, one per role; a role whose entries show videos as well as images has both columns. Each level's train split goes to the dataset its
level module names (fragment -> sf2t_train, the papers' "Base+SF²T" data; scene -> sft_train,
the supervised "Base(SFT)" data), and the test split of every task to benchmark_test.

Frame paths are relative to the project root: training passes the root as media_dir.
"""
from __future__ import annotations

import json
from pathlib import Path

from fragmentforge import plugins
from fragmentforge.tasks import levels
from fragmentforge.tasks.record import sharegpt_entry

BENCHMARK = "benchmark_test"
TAGS = {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant"}


def roles() -> dict[str, tuple[tuple | None, str]]:
    """dataset name -> (its levels, or None for every level; split). Levels may share a dataset."""
    out: dict[str, list] = {}
    for name, module in sorted(plugins.load_all(levels).items()):
        out.setdefault(module.DATASET, []).append(name)
    return {**{d: (tuple(names), "train") for d, names in out.items()}, BENCHMARK: (None, "test")}


def export_llamafactory(records: list[dict], folder: Path, extra: dict[str, list] | None = None) -> dict:
    """Write the dataset folder; returns {dataset name: entries}. `extra`: sharegpt entries that
    are not QA records (free-text targets), by dataset, after its records."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, list] = {}
    datasets = roles()
    for record in records:
        for role, (level, split) in datasets.items():  # level: the levels exported to this role
            if record["split"] == split and (level is None or record["level"] in level):
                files.setdefault(role, []).append(sharegpt_entry(record)[1])
    for name, entries in (extra or {}).items():
        if entries:
            files.setdefault(name, []).extend(entries)
    info = {}
    for name, entries in sorted(files.items()):
        media = [m for m in ("images", "videos") if any(m in e for e in entries)]
        if len(media) > 1:  # every entry gets both keys, so the JSON's columns have one type
            entries = [{**{m: [] for m in media}, **e} for e in entries]
        lines = ",\n".join(json.dumps(e, ensure_ascii=False) for e in entries)  # one entry per line
        (folder / f"{name}.json").write_text(f"[\n{lines}\n]\n")
        info[name] = {"file_name": f"{name}.json", "formatting": "sharegpt",
                      "columns": {"messages": "messages", **{m: m for m in media}}, "tags": TAGS}
    (folder / "dataset_info.json").write_text(json.dumps(info, indent=1, sort_keys=True) + "\n")
    return {name: len(entries) for name, entries in sorted(files.items())}
