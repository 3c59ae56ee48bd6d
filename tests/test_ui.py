"""`make ui`'s server: the Dagster webserver on loopback serves the code location's assets."""
import json
import subprocess
import time
import urllib.request

import pytest

from tests.conftest import REPO, free_port

WEBSERVER = REPO / ".venv" / "bin" / "dagster-webserver"


def _graphql(url, query):
    request = urllib.request.Request(f"{url}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.slow
def test_webserver_on_loopback_lists_every_asset(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(WEBSERVER), "-m", "dagster_project.definitions", "-h", "127.0.0.1",
                               "-p", str(port)], cwd=REPO, env={"DAGSTER_HOME": str(tmp_path), "PATH": "/usr/bin:/bin",
                                                               "PYTHONPATH": str(REPO)},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                data = _graphql(url, "{ assetNodes { assetKey { path } groupName } }")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "webserver did not answer within 120 s"
                time.sleep(1)
        nodes = {n["assetKey"]["path"][0]: n["groupName"] for n in data["data"]["assetNodes"]}
        assert nodes == {"synthetic_clips": "ingestion", "raw_videos": "ingestion", "video_manifest_table": "results",
                         "keyframe_sets": "keyframes", "proxy_tasks": "tasks", "training_datasets": "tasks",
                         "base_models": "models", "adapter_sft": "models", "adapter_sf2t": "models",
                         "adapter_sft_sf2t": "models",
                      "evaluations": "evaluation", "benchmark_report": "evaluation"}
    finally:
        server.terminate()
        server.wait(30)
