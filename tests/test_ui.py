"""`make ui`'s server: the Dagster webserver on loopback serves the code location's assets.
(The browser test, against an instance with real runs, is in test_orchestrators.)"""
import pytest

from tests.dagster_ui import graphql, webserver
from tests.conftest import REPO


@pytest.mark.slow
def test_webserver_on_loopback_lists_every_asset(tmp_path):
    env = {"DAGSTER_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONPATH": f"{REPO}:{REPO / 'stages'}"}
    with webserver(REPO, env) as url:
        data = graphql(url, "{ assetNodes { assetKey { path } groupName } }")
    nodes = {"/".join(n["assetKey"]["path"]): n["groupName"] for n in data["data"]["assetNodes"]}
    assert nodes == {"synthetic_clips": "ingestion", "raw_videos": "ingestion",
                     "keyframe_sets": "keyframes", "proxy_tasks": "tasks", "training_datasets": "tasks",
                     "base_models": "models", "adapters/sft": "models", "adapters/sf2t": "models",
                     "adapters/sft_sf2t": "models", "evaluations": "evaluation", "benchmark_report": "evaluation"}
