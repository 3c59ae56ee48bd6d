"""LLaMA-Factory datasets from the QA records: a folder with dataset_info.json and sharegpt
JSON files. One file per role and media form:

  sf2t_train      fragment tasks, train split  -> "Base+SF²T" training data
  sft_train       scene tasks, train split     -> supervised "Base(SFT)" data
  benchmark_test  every task, test split       -> the benchmark, for reference

Frame paths are relative to the project root: training passes the root as media_dir.
"""
from __future__ import annotations

import json
from pathlib import Path

from fragmentforge.tasks.record import prompt_text

ROLES = {"sf2t_train": ("fragment", "train"), "sft_train": ("scene", "train"), "benchmark_test": (None, "test")}
TAGS = {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant"}


def sharegpt_entry(record: dict) -> tuple[str, dict]:
    """(media form, entry): the user turn carries one placeholder per frame (or one <video>)."""
    frames = list(record["frames"] or [])
    if frames:
        media, key, content = "images", "images", prompt_text(record["question"], list(record["options"]), len(frames))
        files = frames
    else:
        media, key = "videos", "videos"
        content = "<video>" + prompt_text(record["question"], list(record["options"]), 0)
        files = [record["video"]]
    return media, {"messages": [{"role": "user", "content": content},
                                {"role": "assistant", "content": record["answer"]}], key: files}


def export_llamafactory(records: list[dict], folder: Path) -> dict:
    """Write the dataset folder; returns {dataset name: entries}."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, list] = {}
    for record in records:
        for role, (level, split) in ROLES.items():
            if record["split"] == split and (level is None or record["level"] == level):
                media, entry = sharegpt_entry(record)
                files.setdefault(role if media == "images" else f"{role}_video", []).append(entry)
    info = {}
    for name, entries in sorted(files.items()):
        lines = ",\n".join(json.dumps(e, ensure_ascii=False) for e in entries)  # one entry per line
        (folder / f"{name}.json").write_text(f"[\n{lines}\n]\n")
        media = "videos" if name.endswith("_video") else "images"
        info[name] = {"file_name": f"{name}.json", "formatting": "sharegpt",
                      "columns": {"messages": "messages", media: media}, "tags": TAGS}
    (folder / "dataset_info.json").write_text(json.dumps(info, indent=1, sort_keys=True) + "\n")
    return {name: len(entries) for name, entries in sorted(files.items())}
