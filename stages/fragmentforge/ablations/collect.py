"""Each arm's evaluation, read back from DVC's cache through the experiment commit's dvc.lock
(content-addressed: the files the arm wrote, whatever the workspace holds now), into the
ablations database."""
from __future__ import annotations

import io
import json
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from fragmentforge.ablations.experiments import ArmRun, dvc, git
from fragmentforge.ablations.spec import Ablation, Arm
from fragmentforge.layout import DESCRIPTION_SCORES, PREDICTIONS
from fragmentforge.results_db import sql

COLUMNS = ["qa_id", "task", "video_id", "correct"]


def cache_dir(root: Path) -> Path:
    return Path(dvc(root, "cache", "dir").stdout.strip())


def cached(cache: Path, md5: str) -> Path:
    return cache / "files" / "md5" / md5[:2] / md5[2:]


def output_files(root: Path, rev: str, stage: str, cache: Path) -> dict[str, Path]:
    """{path inside the stage's folder output: its file in the cache} at commit `rev`."""
    lock = yaml.safe_load(git(root, "show", f"{rev}:dvc.lock"))
    out = lock["stages"][stage]["outs"][0]
    listing = json.loads(cached(cache, out["md5"]).read_text())
    return {entry["relpath"]: cached(cache, entry["md5"]) for entry in listing}


def arm_frames(root: Path, rev: str, base: str, variants: list[str], cache: Path) -> dict[str, pd.DataFrame]:
    """{variant: its predictions (and description scores)} as evaluated in experiment `rev`."""
    files = output_files(root, rev, f"evaluations@{base}", cache)
    frames = {}
    for variant in variants:
        if f"{variant}/{PREDICTIONS}" not in files:
            raise KeyError(f"experiment {rev[:7]} has no evaluation of {base}/{variant}")
        frames[variant] = pd.read_parquet(io.BytesIO(files[f"{variant}/{PREDICTIONS}"].read_bytes()))
        scores = files.get(f"{variant}/{DESCRIPTION_SCORES}")
        frames[f"{variant}:descriptions"] = (pd.read_parquet(io.BytesIO(scores.read_bytes()))
                                             if scores else pd.DataFrame())
    return frames


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect(str(db_path))
    conn.execute(sql("create_ablations"))
    return conn


def forget_arm(conn, ablation: str, arm: str, base: str) -> None:
    for table in ("ablation_arms", "ablation_predictions", "ablation_descriptions"):
        conn.execute(f"DELETE FROM {table} WHERE ablation = ? AND arm = ? AND base_model = ?", [ablation, arm, base])


def store_arm(conn, ablation: str, arm: str, experiment: str, rev: str, base: str, variant: str,
              frames: dict[str, pd.DataFrame], seconds: float | None, stages_run: list[str] | None) -> None:
    """Replace what the database holds for this (ablation, arm, base): one transaction."""
    predictions = frames[variant][COLUMNS].copy()
    descriptions = frames[f"{variant}:descriptions"]
    conn.execute("BEGIN")
    forget_arm(conn, ablation, arm, base)
    conn.execute(sql("insert_ablation_arm"), [ablation, arm, base, variant, experiment, rev, seconds,
                                              json.dumps(stages_run) if stages_run is not None else None])
    predictions.insert(0, "variant", variant)
    for col, value in (("base_model", base), ("arm", arm), ("ablation", ablation)):
        predictions.insert(0, col, value)
    conn.register("arm_rows", predictions)
    conn.execute("INSERT INTO ablation_predictions SELECT * FROM arm_rows")
    conn.unregister("arm_rows")
    if not descriptions.empty:
        scored = descriptions[descriptions["judge_status"] == "ok"].dropna(subset=["precision", "recall"])
        rows = pd.DataFrame({"ablation": ablation, "arm": arm, "base_model": base, "variant": variant,
                             "desc_id": scored["desc_id"], "video_id": scored["video_id"],
                             "precision": scored["precision"], "recall": scored["recall"]})
        conn.register("desc_rows", rows)
        conn.execute("INSERT INTO ablation_descriptions SELECT * FROM desc_rows")
        conn.unregister("desc_rows")
    conn.execute("COMMIT")


def collect_arm(conn, root: Path, ablation: Ablation, arm: Arm, base: str, rev: str | None, run: ArmRun | None,
                cache: Path) -> None:
    """One arm of one base model into the database, from experiment `rev`. A failed run drops the
    arm's older rows (no stale row from another commit beside new ones); a reused experiment keeps
    the seconds and stages that the run which made it measured."""
    if run and run.failure:
        forget_arm(conn, ablation.name, arm.name, base)
        return
    if run:
        seconds, ran = run.seconds, run.stages_run
    else:
        before = conn.execute("SELECT seconds, stages_run FROM ablation_arms WHERE ablation = ? AND arm = ? "
                              "AND base_model = ?", [ablation.name, arm.name, base]).fetchone()
        seconds, ran = (before[0], json.loads(before[1])) if before and before[1] else (None, None)
    variant = ablation.variant_of(arm)
    frames = arm_frames(root, rev, base, [variant], cache)
    store_arm(conn, ablation.name, arm.name, ablation.experiment(arm), rev, base, variant, frames, seconds, ran)
