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
from urllib.parse import quote

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
            assert ablation.variant_of(arm) in variants, f"{ablation.name}/{arm.name}"
            for key in arm.overrides:  # dvc exp run -S only overrides keys params.yaml has
                node = raw
                for part in key.split("."):
                    assert isinstance(node, dict) and part in node, f"{ablation.name}/{arm.name}: {key}"
                    node = node[part]


def test_an_ablation_file_with_a_problem_says_which(tmp_path):
    good = {"title": "t", "paper": "p", "metric": "accuracy", "variant": "sft", "tasks": ["action"],
            "reference": "a", "arms": [{"name": "a", "set": {"training.tune": "all"}},
                                        {"name": "b", "set": {"training.tune": "vision"}}]}
    assert load(write_yaml(tmp_path / "good.yaml", good)).experiment(Arm("b", "b", {"training.tune": "vision"})) == "good-b"
    for change, message in [({"reference": "c"}, "reference 'c' is not an arm"),
                            ({"arms": good["arms"][:1]}, "at least two arms"),
                            ({"metric": "bleu"}, "metric must be one of"),
                            ({"tasks": []}, "names its tasks"),
                            ({"arms": [{"name": "a b", "set": {}}, good["arms"][1]]}, "letters, digits and _"),
                            # an unquoted comma in a flow mapping's label makes a key of its own
                            ({"arms": [{**good["arms"][0], "scene changes)": None}, good["arms"][1]]},
                             "arms[0] (a): unknown keys 'scene changes)'")]:
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


def test_every_runnable_arm_is_a_partition_beside_the_base_model_and_make_run_leaves_them_alone():
    from dagster import AssetKey, DagsterInstance, Definitions

    from dagster_project.definitions import defs
    from dagster_project.launch import stale_selection

    Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    arms = graph.get(AssetKey("ablation_arm"))
    dims = {d.name: d.partitions_def for d in arms.partitions_def.partitions_defs}
    assert dims["base_model"].name == "base_models"  # the dynamic dimension the registry sensor grows
    expected = [name for a in all_ablations() if not a.waiting_for for name in a.experiments()]
    assert dims["experiment"].get_partition_keys() == expected and len(expected) >= 10
    assert not any("|" in name for name in expected)  # Dagster joins a multi-partition key with |
    assert arms.pools == {"ablations"} and graph.get(AssetKey("ablation_report")).pools == {"ablations"}
    assert graph.get(AssetKey("ablation_report")).partitions_def is None
    assert AssetKey("ablation_arm") in graph.get(AssetKey("ablation_report")).parent_keys
    for job in ("data_job", "base_model_job"):
        assert not {"ablation_arm", "ablation_report"} & {
            k.to_user_string() for k in defs.resolve_job_def(job).asset_layer.executable_asset_keys}, job
    # make run's launcher: on a fresh instance everything else is missing, the ablations are not picked
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("base_models", [BASE])
    shared, per_partition = stale_selection(defs, instance)
    picked = {k.to_user_string() for k in [*shared, *per_partition.get(BASE, [])]}
    assert {"raw_videos", "evaluations", "benchmark_report"} <= picked
    assert not picked & {"ablation_arm", "ablation_report"}, picked
    assert list(per_partition) == [BASE]


# ---- the two-arm ablation, end to end through DVC ------------------------------------------------

def run(cmd, cwd, env=None, timeout=900):
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{cmd}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done


TASKS = ["action", "counting"]
# a bad arm (params validation fails in its first stage) costs itself, not the table
BROKEN = {"name": "broken", "set": {"training.lora_rank": 0}}


@pytest.fixture(scope="module")
def ablation_project(tmp_path_factory):
    """A small project with one variant, run by `dvc repro` and committed, as `make ablations` finds
    one after `make run`. Its code location's tables folder holds one table (Dagster's partitions);
    `make ablations` is pointed at another, so neither sees the other's experiments."""
    tmp_path = tmp_path_factory.mktemp("ablations")
    root = make_project(tmp_path)
    shutil.copy(REPO / ".gitignore", root / ".gitignore")  # data/ out of git, as in the real project
    raw = yaml.safe_load((root / "params.yaml").read_text())
    raw["training"]["variants"] = [{"name": "sft", "label": "Base(SFT)", "datasets": ["sft_train"],
                                    "tune": "language"}]
    write_yaml(root / "params.yaml", raw)
    tables = tmp_path / "tables"
    tables.mkdir()
    write_yaml(tables / "tune.yaml", {
        "title": "which parts LoRA tunes", "paper": "language ≈ all > vision", "metric": "accuracy",
        "variant": "sft", "tasks": TASKS, "reference": "language",
        "arms": [{"name": "language", "set": {"training.tune": "language"}},
                 {"name": "all", "set": {"training.tune": "all"}}, BROKEN]})
    shipped = root / "stages" / "fragmentforge" / "ablations" / "tables"
    shutil.rmtree(shipped)
    shipped.mkdir()
    # a batch size changes no prediction and no stage lists it: an arm that reruns nothing (cheap)
    write_yaml(shipped / "batch.yaml", {
        "title": "evaluation batch size", "paper": "none", "metric": "accuracy", "variant": "sft", "tasks": TASKS,
        "reference": "b1", "arms": [{"name": "b1", "set": {"evaluation.batch_size": 1}},
                                    {"name": "b2", "set": {"evaluation.batch_size": 2}}, BROKEN]})
    env = experiments.dvc_env(root) | {"PYTHONPATH": f"{root}{os.pathsep}{root / 'stages'}"}
    dvc = dvc_program(REPO)
    for cmd in (["git", "init", "-q"], ["git", "config", "user.name", "test"],
                ["git", "config", "user.email", "test@example.invalid"], [dvc, "init", "-q"],
                [dvc, "config", "core.analytics", "false"], [dvc, "repro"], ["git", "add", "-A"],
                ["git", "commit", "-qm", "baseline"]):
        run(cmd, root, env)
    return {"root": root, "tables": tables, "env": env}


@pytest.mark.slow
def test_a_two_arm_ablation_reruns_only_training_and_evaluation_and_its_table_is_the_sql(ablation_project):
    root, tables, env = ablation_project["root"], ablation_project["tables"], ablation_project["env"]
    tasks, dvc = TASKS, dvc_program(REPO)
    done = subprocess.run([sys.executable, "-m", "fragmentforge.ablations", "--root", str(root), "--tables",
                           str(tables)], cwd=root, env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 1, done.stdout[-4000:] + done.stderr[-4000:]  # one arm failed: said, not hidden
    assert "ablations: 3 arms in 3 experiments: 3 queued" in done.stdout and "1 arms failed" in done.stdout
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
    conn.close()
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


# ---- the arms as Dagster partitions, and the UI ----------------------------------------------------

UI_SHOT = REPO / "tests" / "artifacts" / "ui_ablation_partitions.png"


def materialize(project, selection: str, partition: str | None = None) -> subprocess.CompletedProcess:
    """`dagster asset materialize` in the project, as the UI's Materialize button launches a run."""
    cmd = [str(REPO / ".venv" / "bin" / "dagster"), "asset", "materialize", "-m", "dagster_project.definitions",
           "--select", selection, *(["--partition", partition] if partition else [])]
    return subprocess.run(cmd, cwd=project["root"], env=project["dagster_env"], capture_output=True, text=True,
                          timeout=900)


@pytest.mark.slow
def test_an_arm_partition_runs_its_experiment_through_dagster_and_the_ui_shows_the_arms(ablation_project):
    from dagster import AssetKey, AssetRecordsFilter, DagsterEventType, RunsFilter

    from tests.conftest import make_instance
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from tests.dagster_ui import chromium_page, webserver

    root = ablation_project["root"]
    home = root / ".dagster_home"
    instance = make_instance(home)
    instance.add_dynamic_partitions("base_models", [BASE])
    project = {**ablation_project, "dagster_env": {**ablation_project["env"], "DAGSTER_HOME": str(home)}}
    project["dagster_env"].pop("FRAGMENTFORGE_ROOT", None)

    def latest(partition=None):
        records = instance.fetch_materializations(AssetRecordsFilter(
            asset_key=AssetKey("ablation_report" if partition is None else "ablation_arm"),
            asset_partitions=[partition] if partition else None), limit=1).records
        return records[0].asset_materialization.metadata

    # 1. The arm runs as a DVC experiment. No stage lists the batch size, and every output but the
    # results database is cached, so only the report (the database's writer) runs in its clone.
    done = materialize(project, "ablation_arm", f"{BASE}|batch-b1")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-6000:]
    meta = latest(f"{BASE}|batch-b1")
    assert meta["experiment"].value == "batch-b1" and meta["reused"].value is False
    rev = experiments.existing(root)["batch-b1"]
    assert meta["exp_rev"].value == rev
    assert meta["stages_run"].value == "benchmark_report"
    with duckdb.connect(str(root / "data" / "ablations" / "ablations.duckdb"), read_only=True) as conn:
        accuracies = [a for (a,) in conn.execute(
            "SELECT avg(correct::INT) FROM ablation_predictions WHERE ablation = 'batch' AND arm = 'b1' "
            "AND base_model = ? AND task IN ('action', 'counting') GROUP BY task", [BASE]).fetchall()]
    assert len(accuracies) == len(TASKS)
    assert meta["b1: Avg %"].value == pytest.approx(100 * sum(accuracies) / len(accuracies), abs=0.01)
    assert "| b1 |" in meta["cells"].value
    # 2. The report gathers the collected arms (into data/reports/ablations/, which DVC ignores).
    done = materialize(project, "ablation_report")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-6000:]
    assert "| b1 |" in latest()[f"batch ({BASE})"].value
    assert "| b1 |" in (root / "data" / "reports" / "ablations" / "report.md").read_text()
    # 3. Again: the experiment on this commit is reused, nothing runs.
    done = materialize(project, "ablation_arm", f"{BASE}|batch-b1")
    assert done.returncode == 0 and latest(f"{BASE}|batch-b1")["reused"].value is True, done.stdout[-3000:]
    # 4. A failed arm fails its partition, with the arm's first ERROR line.
    done = materialize(project, "ablation_arm", f"{BASE}|batch-broken")
    assert done.returncode != 0
    (failed,) = instance.get_runs(RunsFilter(tags={"dagster/partition": f"{BASE}|batch-broken"}))
    (failure,) = instance.all_logs(failed.run_id, of_type=DagsterEventType.STEP_FAILURE)
    why = failure.dagster_event.step_failure_data.user_failure_data.description
    assert why.startswith("batch-broken: ERROR") and "\n" not in why, done.stdout[-3000:] + done.stderr[-3000:]

    # 5. The UI: a list per dimension with its keys, each key's state; b1's partition shows its metadata.
    UI_SHOT.parent.mkdir(parents=True, exist_ok=True)
    with webserver(root, project["dagster_env"]) as url, chromium_page() as page:
        page.goto(f"{url}/assets/ablation_arm?view=partitions&partition={quote(f'{BASE}|batch-b1')}")
        for text in ("Filter by base_model…", "Filter by experiment…"):
            page.get_by_placeholder(text).wait_for()
        row = page.locator("[class*='AssetEventList_assetListRow']")
        for key in (BASE, "batch-b1", "batch-b2", "batch-broken"):
            row.filter(has_text=key).first.wait_for()
        for state in ("Materialized (1)", "Failed (1)", "Missing (1)"):
            page.get_by_text(state).wait_for()
        # each key's dot: green materialized, red failed, grey missing
        assert "accent-green" in row.filter(has_text="batch-b1").inner_html()
        assert "accent-red" in row.filter(has_text="batch-broken").inner_html()
        assert "accent-green" not in row.filter(has_text="batch-b2").inner_html()
        page.get_by_text(f"{BASE}|batch-b1", exact=True).first.wait_for()
        page.get_by_text(rev, exact=True).wait_for()  # the DVC experiment's commit, as metadata
        try:  # a fresh profile's community pop-up comes up a few seconds late, over the page
            page.get_by_role("button", name="Skip").click(timeout=10_000)
        except PlaywrightTimeout:
            pass
        page.screenshot(path=UI_SHOT, full_page=True)
