"""A small frame-counting dataset in LLaMA-Factory's sharegpt format, generated on the spot.

Options are in a fixed order (A. 2, B. 3, ...) so a tiny model can learn the answer from the
number of images it is shown; random frames keep the pixels uninformative on purpose.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

SIZES = (2, 3, 4, 5)
LETTERS = "ABCDEF"
TAGS = {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant"}


def question(n: int) -> str:
    options = "\n".join(f"{LETTERS[i]}. {size}" for i, size in enumerate(SIZES))
    return "<image>" * n + f"How many frames are there?\n{options}\nAnswer with the option's letter."


def make_rows(root: Path, split: str, count: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    folder = root / "media" / split
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(count):
        n = SIZES[i % len(SIZES)]
        paths = []
        for j in range(n):
            path = folder / f"{i:04d}_{j}.png"
            Image.fromarray(rng.integers(0, 255, (56, 72, 3), dtype=np.uint8)).save(path)
            paths.append(path.relative_to(root).as_posix())
        rows.append({"messages": [{"role": "user", "content": question(n)},
                                  {"role": "assistant", "content": LETTERS[SIZES.index(n)]}], "images": paths})
    return rows


def with_answers(rows: list[dict], answer) -> list[dict]:
    """The same questions with the reply `answer(index, row)`: one letter always, or letters
    unrelated to what is shown."""
    return [{**row, "messages": [row["messages"][0], {"role": "assistant", "content": answer(i, row)}]}
            for i, row in enumerate(rows)]


def preference_rows(rows: list[dict], seed: int) -> list[dict]:
    """LLaMA-Factory's ranking format: the right letter chosen, a wrong one rejected."""
    rng = np.random.default_rng(seed)
    out = []
    for row in rows:
        answer = row["messages"][1]["content"]
        wrong = rng.choice([l for l in LETTERS[:len(SIZES)] if l != answer])
        out.append({"messages": row["messages"][:1], "chosen": {"role": "assistant", "content": answer},
                    "rejected": {"role": "assistant", "content": str(wrong)}, "images": row["images"]})
    return out


def write_datasets(root: Path, datasets: dict[str, list[dict]], ranking: tuple[str, ...] = ()) -> Path:
    """dataset_info.json plus one file per dataset under root/datasets; returns that folder."""
    folder = root / "datasets"
    folder.mkdir(parents=True, exist_ok=True)
    info = {}
    for name, rows in datasets.items():
        (folder / f"{name}.json").write_text(json.dumps(rows))
        columns = {"messages": "messages", "images": "images"}
        entry = {"file_name": f"{name}.json", "formatting": "sharegpt", "columns": columns, "tags": TAGS}
        if name in ranking:
            entry["ranking"] = True
            columns.update(chosen="chosen", rejected="rejected")
        info[name] = entry
    (folder / "dataset_info.json").write_text(json.dumps(info, indent=1))
    return folder
