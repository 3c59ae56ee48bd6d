"""The DVC remote on S3 against `rclone serve s3` on loopback, which checks credentials:
push and pull round trip; a wrong secret or a dead endpoint is one clear line, never the secret."""
import shutil
import subprocess

import pytest

from fragmentforge.dvc_remote import run as remote
from tests.conftest import KEY, REPO, SECRET, free_port

DVC = REPO / ".venv-dvc" / "bin" / "dvc"


@pytest.fixture
def dvc_project(tmp_path):
    root = tmp_path / "project"
    (root / "data" / "adapters" / "m").mkdir(parents=True)
    (root / "data" / "adapters" / "m" / "adapter_model.safetensors").write_bytes(bytes(range(256)) * 64)
    (root / "data" / "tasks.json").write_text('{"records": 3}\n')
    for args in (["init", "--no-scm", "-q"], ["config", "core.analytics", "false"], ["add", "data/adapters", "data/tasks.json"]):
        subprocess.run([str(DVC), *args], cwd=root, check=True, capture_output=True)
    return root


def test_push_and_pull_round_trip_with_credentials_from_the_environment(dvc_project, rclone_s3, capsys):
    root = dvc_project
    assert remote(root, ["setup", "--url", "s3://dvc-store/fragmentforge", "--endpoint", rclone_s3]) == 0
    assert "s3://dvc-store/fragmentforge" in (root / ".dvc" / "config.local").read_text()
    assert not (root / ".dvc" / "config").read_text().count("endpointurl")
    assert remote(root, ["push"]) == 0
    shutil.rmtree(root / ".dvc" / "cache")
    shutil.rmtree(root / "data" / "adapters")
    (root / "data" / "tasks.json").unlink()
    assert remote(root, ["pull"]) == 0
    assert (root / "data" / "adapters" / "m" / "adapter_model.safetensors").read_bytes() == bytes(range(256)) * 64
    assert (root / "data" / "tasks.json").read_text() == '{"records": 3}\n'
    assert SECRET not in capsys.readouterr().out


def test_credentials_from_dvc_local_config_work_and_a_wrong_secret_is_one_clear_error(
        dvc_project, rclone_s3, monkeypatch, capsys):
    root = dvc_project
    assert remote(root, ["setup", "--url", "s3://dvc-store/p", "--endpoint", rclone_s3]) == 0
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    for key, value in (("access_key_id", KEY), ("secret_access_key", SECRET)):
        subprocess.run([str(DVC), "remote", "modify", "--local", "storage", key, value], cwd=root, check=True)
    assert remote(root, ["push"]) == 0

    wrong = "not-the-secret-either"
    subprocess.run([str(DVC), "remote", "modify", "--local", "storage", "secret_access_key", wrong], cwd=root, check=True)
    capsys.readouterr()
    assert remote(root, ["push"]) == 2
    out = capsys.readouterr()
    assert "refused the credentials" in out.err
    assert wrong not in out.out + out.err and SECRET not in out.out + out.err


def test_an_unreachable_endpoint_is_one_clear_error(dvc_project, monkeypatch, capsys):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    dead = f"http://127.0.0.1:{free_port()}"
    assert remote(dvc_project, ["setup", "--url", "s3://dvc-store/p", "--endpoint", dead]) == 2
    assert remote(dvc_project, ["pull"]) == 2
    err = capsys.readouterr().err
    assert f"cannot reach the S3 remote s3://dvc-store/p (endpoint {dead})" in err and SECRET not in err


def test_a_port_that_contains_403_is_not_a_refused_credential():
    from fragmentforge.s3_access import explain

    endpoint = "http://127.0.0.1:40343"
    dead = ConnectionError(f"Could not connect to the endpoint URL: {endpoint}/dvc-store")
    assert explain(dead, "the S3 remote s3://b/p", endpoint).startswith("cannot reach the S3 remote")
    refused = OSError("An error occurred (403) when calling the HeadObject operation: Forbidden")
    assert "refused the credentials" in explain(refused, "the S3 remote s3://b/p", endpoint)
