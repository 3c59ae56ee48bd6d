"""Ablations: arms as DVC experiments (`make ablations`), their tables and intervals.

The slow test runs a two-arm ablation on a small project through `dvc exp run --queue` and
`--run-all`: only the stages downstream of the override run, the arms' predictions differ where
the override reaches and nowhere else, and the report's cells are what SQL says."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from fragmentforge.ablations import cells as cells_of
from fragmentforge.ablations import collect, experiments
from fragmentforge.ablations.report import verdict
from fragmentforge.ablations.spec import AblationError, Arm, all_ablations, load, set_args
from fragmentforge.config import ConfigError, load_params
from fragmentforge.dvc_remote import dvc_program
from tests.conftest import REPO, make_project

BASE = "tiny-qwen2vl"


def write_yaml(path, data):
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def test_only_keeps_the_named_variants_and_what_they_start_from_and_tune_applies_to_all(tmp_path):
    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    raw["training"].update({"only": ["describe+dpo", "proxy_fused"], "tune": "all"})
    params = load_params(write_yaml(tmp_path / "params.yaml", raw))
    assert [(v.name, v.tune) for v in params.training.variants] == [
        ("proxy", "all"), ("proxy_fused", "all"), ("describe", "all"), ("describe+dpo", "all")]
    raw["training"].update({"only": [], "tune": None})
    assert load_params(write_yaml(tmp_path / "params.yaml", raw)).training.variants == ()
    raw["training"]["only"] = ["sft", "nope"]
    with pytest.raises(ConfigError, match="'nope' is not a variant"):
        load_params(write_yaml(tmp_path / "params.yaml", raw))


def test_the_shipped_ablations_load_and_name_real_variants_and_params():
    params = load_params(REPO / "params.yaml")
    variants = {"base", *(v.name for v in params.training.variants)}
    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    for ablation in all_ablations():
        assert ablation.variant in variants, ablation.name
        if ablation.waiting_for:  # its keys land with the feature it waits for
            continue
        for arm in ablation.arms:
            for key in arm.overrides:  # dvc exp run -S only overrides keys params.yaml has
                node = raw
                for part in key.split("."):
                    assert isinstance(node, dict) and part in node, f"{ablation.name}/{arm.name}: {key}"
                    node = node[part]


def test_an_ablation_file_with_a_problem_says_which(tmp_path):
    good = {"title": "t", "paper": "p", "metric": "accuracy", "variant": "sft", "tasks": ["action"],
            "reference": "a", "arms": [{"name": "a", "set": {"training.tune": "all"}},
                                        {"name": "b", "set": {"training.tune": "vision"}}]}
    assert load(write_yaml(tmp_path / "good.yaml", good)).experiment(Arm("b", "b", {})) == "good-b"
    for change, message in [({"reference": "c"}, "reference 'c' is not an arm"),
                            ({"arms": good["arms"][:1]}, "at least two arms"),
                            ({"metric": "bleu"}, "metric must be one of"),
                            ({"tasks": []}, "names its tasks"),
                            ({"arms": [{"name": "a b", "set": {}}, good["arms"][1]]}, "letters, digits and _")]:
        with pytest.raises(AblationError, match=re.escape(message)):
            load(write_yaml(tmp_path / "bad.yaml", {**good, **change}))


def test_overrides_are_written_in_hydras_grammar():
    arm = Arm("x", "x", {"training.only": ["describe+dpo"], "training.tune": "all", "tasks.ma_bench.frames": 8,
                         "tasks.descriptions.grounded": False, "training.max_samples": None})
    assert set_args(arm) == ["-S", "training.only=['describe+dpo']", "-S", "training.tune='all'",
                             "-S", "tasks.ma_bench.frames=8", "-S", "tasks.descriptions.grounded=false",
                             "-S", "training.max_samples=null"]


def constructed(tmp_path):
    spec = {"title": "t", "paper": "p", "metric": "accuracy", "variant": "sft", "tasks": ["x", "y"],
            "reference": "ref", "arms": [{"name": "ref", "set": {}}, {"name": "same", "set": {}},
                                          {"name": "better", "set": {}}]}
    ablation = load(write_yaml(tmp_path / "t.yaml", spec))
    rng = np.random.default_rng(0)
    rows = []
    for video in range(30):
        for task in ("x", "y"):
            for q in range(2):
                hit = bool(rng.random() < 0.5)
                rows += [("ref", task, f"v{video}", hit), ("same", task, f"v{video}", hit),
                         ("better", task, f"v{video}", hit or task == "x")]
    return ablation, pd.DataFrame(rows, columns=["arm", "task", "video_id", "correct"])


def test_cells_are_the_mean_of_task_accuracies_with_paired_intervals(tmp_path):
    ablation, rows = constructed(tmp_path)
    cells = {c.arm: c for c in cells_of.accuracy_cells(ablation, rows, 500, 0)}
    for arm, c in cells.items():
        own = rows[rows["arm"] == arm]
        per_task = own.groupby("task")["correct"].mean()
        assert c.headline.value == pytest.approx(per_task.mean())
        assert {t: i.value for t, i in c.tasks.items()} == pytest.approx(per_task.to_dict())
        assert c.headline.low <= c.headline.value <= c.headline.high
    assert cells["ref"].delta is None
    assert cells["same"].delta.value == 0 and cells["same"].delta.low == 0 == cells["same"].delta.high
    gain = cells["better"].delta
    assert gain.value == pytest.approx(cells["better"].headline.value - cells["ref"].headline.value)
    assert gain.low > 0  # every video gains on x: resolved
    text = verdict(ablation, list(cells.values()))
    assert text.startswith("Resolved") and "better" in text and "Not resolved: same" in text
    few = rows[rows["video_id"].isin([f"v{i}" for i in range(6)])]
    text = verdict(ablation, cells_of.accuracy_cells(ablation, few, 500, 0))
    assert "With 6 test videos" in text and text.endswith("not a finding.")


def test_f1_cells_pair_descriptions_by_id(tmp_path):
    spec = {"title": "t", "paper": "p", "metric": "description_f1", "variant": "describe", "reference": "a",
            "arms": [{"name": "a", "set": {}}, {"name": "b", "set": {}}]}
    ablation = load(write_yaml(tmp_path / "f.yaml", spec))
    rows = pd.DataFrame([("a", f"d{i}", f"v{i}", 0.5, 0.5) for i in range(6)]
                        + [("b", f"d{i}", f"v{i}", 1.0, 0.5) for i in range(6)],
                        columns=["arm", "desc_id", "video_id", "precision", "recall"])
    a, b = cells_of.f1_cells(ablation, rows, 200, 0)
    assert a.headline.value == pytest.approx(0.5) and b.headline.value == pytest.approx(2 / 3)
    assert b.delta.value == pytest.approx(2 / 3 - 0.5) and b.delta.low == pytest.approx(b.delta.high)


# ---- the two-arm ablation, end to end through DVC ------------------------------------------------

def run(cmd, cwd, env=None, timeout=900):
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{cmd}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done


@pytest.mark.slow
def test_a_two_arm_ablation_reruns_only_training_and_evaluation_and_its_table_is_the_sql(tmp_path):
    root = make_project(tmp_path)
    shutil.copy(REPO / ".gitignore", root / ".gitignore")  # data/ out of git, as in the real project
    raw = yaml.safe_load((root / "params.yaml").read_text())
    raw["training"]["variants"] = [{"name": "sft", "label": "Base(SFT)", "datasets": ["sft_train"],
                                    "tune": "language"}]
    write_yaml(root / "params.yaml", raw)
    tables = tmp_path / "tables"
    tables.mkdir()
    tasks = ["action", "counting"]
    write_yaml(tables / "tune.yaml", {
        "title": "which parts LoRA tunes", "paper": "language ≈ all > vision", "metric": "accuracy",
        "variant": "sft", "tasks": tasks, "reference": "language",
        "arms": [{"name": "language", "set": {"training.tune": "language"}},
                 {"name": "all", "set": {"training.tune": "all"}},
                 # a bad arm (params validation fails in its first stage) costs itself, not the table
                 {"name": "broken", "set": {"training.lora_rank": 0}}]})
    env = experiments.dvc_env(root) | {"PYTHONPATH": f"{root}{os.pathsep}{root / 'stages'}"}
    dvc = dvc_program(REPO)
    for cmd in (["git", "init", "-q"], ["git", "config", "user.name", "test"],
                ["git", "config", "user.email", "test@example.invalid"], [dvc, "init", "-q"],
                [dvc, "config", "core.analytics", "false"], [dvc, "repro"], ["git", "add", "-A"],
                ["git", "commit", "-qm", "baseline"]):
        run(cmd, root, env)

    done = subprocess.run([sys.executable, "-m", "fragmentforge.ablations", "--root", str(root), "--tables",
                           str(tables)], cwd=root, env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 1, done.stdout[-4000:] + done.stderr[-4000:]  # one arm failed: said, not hidden
    assert "ablations: 3 arms queued" in done.stdout and "1 arms failed" in done.stdout
    assert re.search(r"tune-broken: .*FAILED: ERROR", done.stdout), done.stdout[-3000:]
    assert "| tune-broken | ERROR" in (root / "data" / "reports" / "ablations" / "report.md").read_text()

    conn = duckdb.connect(str(root / "data" / "ablations" / "ablations.duckdb"), read_only=True)
    arms = conn.execute("SELECT arm, exp_rev, stages_run FROM ablation_arms WHERE ablation = 'tune'").df()
    assert sorted(arms["arm"]) == ["all", "language"]
    # 1. Only what the override reaches ran; every other stage was checked out from the cache.
    for _, arm in arms.iterrows():
        assert set(json.loads(arm["stages_run"])) == {f"adapters@{BASE}", f"evaluations@{BASE}",
                                                      "benchmark_report"}, arm["arm"]
    rev = dict(zip(arms["arm"], arms["exp_rev"]))
    cache = collect.cache_dir(root)
    # 2. Base is the same model in both arms; sft is retrained with LoRA everywhere in `all` only.
    frames = {arm: collect.arm_frames(root, rev[arm], BASE, ["base", "sft"], cache) for arm in rev}
    workspace = pd.read_parquet(root / "data" / "eval" / BASE / "sft" / "predictions.parquet")
    assert frames["language"]["base"]["option_scores"].tolist() == frames["all"]["base"]["option_scores"].tolist()
    assert frames["language"]["sft"]["option_scores"].tolist() == workspace["option_scores"].tolist()
    assert frames["language"]["sft"]["option_scores"].tolist() != frames["all"]["sft"]["option_scores"].tolist()
    adapters = {arm: collect.output_files(root, rev[arm], f"adapters@{BASE}", cache)["sft/adapter_model.safetensors"]
                for arm in rev}
    assert adapters["language"].read_bytes() == (root / "data" / "adapters" / BASE / "sft" /
                                                 "adapter_model.safetensors").read_bytes()
    assert adapters["all"].read_bytes() != adapters["language"].read_bytes()
    # 3. The report's cells are the accuracies SQL computes from the collected predictions.
    direct = conn.execute("SELECT arm, task, avg(correct::INT) FROM ablation_predictions WHERE ablation = 'tune' "
                          "AND task IN ('action', 'counting') GROUP BY arm, task").fetchall()
    assert len(direct) == 4
    report = (root / "data" / "reports" / "ablations" / "report.md").read_text()
    by_arm = {}
    for arm, task, accuracy in direct:
        row = next(line for line in report.splitlines() if line.startswith(f"| {arm} |"))
        cells = [c.strip().split(" [")[0] for c in row.strip("|").split("|")]
        assert cells[1 + tasks.index(task)] == f"{100 * accuracy:.1f}", (arm, task, row)
        by_arm.setdefault(arm, (cells, []))[1].append(accuracy)
    for arm, (cells, accuracies) in by_arm.items():  # Avg: the mean of the task accuracies
        assert cells[1 + len(tasks)] == f"{100 * sum(accuracies) / len(accuracies):.1f}", arm
    # DVC's own view of the arms, with their metrics.
    shown = json.loads(run([dvc, "exp", "show", "--json"], root, env).stdout)
    names = {e.get("name"): e for commit in shown for e in commit.get("experiments") or []}
    assert {"tune-language", "tune-all"} <= set(names), names.keys()
    exp_data = names["tune-all"]["revs"][0]["data"]
    metrics = exp_data["metrics"][f"data/metrics/{BASE}/evaluation.json"]["data"]
    assert metrics["sft"]["mean_task_accuracy"] is not None
