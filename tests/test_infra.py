"""infra/: every deployment file parses, passes the schema that can be checked here (Dagster's
own instance schema) and agrees with the code: pools, tags, secrets, ports, pins."""
import json
import re
import shutil

import pytest
import yaml

from dagster_project.partitions import ABLATIONS_POOL, RESULTS_DB_POOL
from dagster_project.sensors import BASE_MODEL_TAG
from dagster_project.pods import K8S_CONFIG_TAG, POOL_LABEL, POOL_TAG, S3_SECRET
from fragmentforge.config.loader import load_params
from tests.conftest import REPO

INFRA = REPO / "infra"
GPU = INFRA / "gpu"


def test_training_assets_request_gpus_and_the_rest_cpu_nodes():
    from dagster_project.definitions import defs

    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        name = key.to_user_string()
        if not name.startswith("adapter_") and name not in ("base_models", "evaluations"):
            continue
        tags = graph.get(key).assets_def.op.tags
        # torch steps run one at a time under the local executor (tag_concurrency_limits)
        assert (tags.get(POOL_TAG) == "torch") == (name != "base_models")
        config = json.loads(tags[K8S_CONFIG_TAG])  # Dagster stores tag values as JSON strings
        resources = config["container_config"]["resources"]
        pool = config["pod_spec_config"]["node_selector"][POOL_LABEL]
        assert config["container_config"]["env_from"] == [{"secret_ref": {"name": S3_SECRET}}]
        if name != "base_models":
            assert pool == "gpu" and resources["limits"]["nvidia.com/gpu"] == "1"
        else:
            assert pool == "cpu" and "nvidia.com/gpu" not in resources["requests"]


def test_helm_values_and_s3_params_parse_and_name_the_same_secret_and_pools():
    values = yaml.safe_load((INFRA / "k8s" / "dagster-values.yaml").read_text())
    deployment = values["dagster-user-deployments"]["deployments"][0]
    assert {"name": S3_SECRET} in deployment["envSecrets"]
    assert {"name": "FRAGMENTFORGE_EXECUTOR", "value": "k8s"} in deployment["env"]
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert deployment["nodeSelector"] == {POOL_LABEL: "cpu"}
    for part in (values["dagsterWebserver"], values["dagsterDaemon"],
                 values["runLauncher"]["config"]["k8sRunLauncher"]["runK8sConfig"]["podSpecConfig"]):
        assert part["nodeSelector"] == {POOL_LABEL: "cpu"}
    assert values["concurrency"]["pools"]["defaultLimit"] == 1
    assert [limit["key"] for limit in values["concurrency"]["runs"]["tagConcurrencyLimits"]] == [BASE_MODEL_TAG]
    assert values["dagsterDaemon"]["runRetries"] == {"enabled": True, "maxRetries": 1, "retryOnAssetOrOpFailure": False}
    overrides = yaml.safe_load((GPU / "params.s3.yaml").read_text())
    assert overrides["models"]["registry"].startswith("s3://")
    merged = yaml.safe_load((REPO / "params.yaml").read_text())
    for section, changes in overrides.items():
        merged[section].update(changes)
    path = REPO / "tests" / "artifacts" / "params.s3.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(merged))
    assert load_params(path).models.registry.startswith("s3://")


def test_cuda_image_starts_from_a_cuda_base_and_serves_the_code_location():
    dockerfile = (GPU / "Dockerfile").read_text()
    assert re.search(r"^FROM \$\{CUDA_IMAGE\}", dockerfile, re.MULTILINE)
    assert "dagster_project.definitions" in dockerfile


@pytest.mark.parametrize("name", ["dagster.yaml", "dagster.local.yaml"])
def test_instance_files_pass_dagsters_schema_and_limit_the_results_db_pool_to_one(name, tmp_path):
    from dagster._core.instance.config import dagster_instance_config

    shutil.copy(INFRA / name, tmp_path / "dagster.yaml")
    config, _ = dagster_instance_config(str(tmp_path))  # raises on any key or type the schema rejects
    assert config["concurrency"]["pools"]["default_limit"] == 1
    assert config["run_retries"]["enabled"] and not config["run_retries"]["retry_on_asset_or_op_failure"]
    if name == "dagster.yaml":
        assert set(config["storage"]) == {"postgres"}
        assert config["concurrency"]["runs"]["tag_concurrency_limits"][0]["key"] == BASE_MODEL_TAG


def test_the_pools_in_the_instance_are_the_ones_the_assets_use():
    from dagster_project.definitions import defs

    graph = defs.resolve_asset_graph()
    pools = {pool for key in graph.get_all_asset_keys() for pool in graph.get(key).pools or ()}
    assert pools == {RESULTS_DB_POOL, ABLATIONS_POOL}


def test_compose_wires_webserver_daemon_code_location_postgres_and_s3():
    text = (INFRA / "compose.yaml").read_text()
    compose = yaml.safe_load(text)
    services = compose["services"]
    assert set(services) == {"postgres", "s3", "code-location", "webserver", "daemon"}
    for name, service in services.items():
        assert "image" in service, name
        for needed in service.get("depends_on", {}):
            assert needed in services, (name, needed)
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"
    # Every variable is one the header tells the user to set; secrets have no default.
    variables = set(re.findall(r"\$\{(\w+)", text))
    assert variables == {"POSTGRES_PASSWORD", "S3_ACCESS_KEY", "S3_SECRET_KEY"}
    assert all(f"{v}=" in text.split("name:")[0] for v in variables)
    assert not re.search(r"\$\{(POSTGRES_PASSWORD|S3_SECRET_KEY):-", text)
    # Dagster's storage settings are the ones dagster.yaml reads; the workspace names the code server.
    instance_env = set(re.findall(r"env: (\w+)", (INFRA / "dagster.yaml").read_text()))
    for name in ("code-location", "webserver", "daemon"):
        assert instance_env <= set(services[name]["environment"]), name
        assert services[name]["build"]["dockerfile"] == "infra/Dockerfile"
    workspace = yaml.safe_load((INFRA / "workspace.yaml").read_text())["load_from"][0]["grpc_server"]
    code = services["code-location"]["command"]
    assert workspace["host"] == "code-location" and code[code.index("-p") + 1] == str(workspace["port"])
    assert "dagster_project.definitions" in code
    for name in ("webserver", "daemon"):
        assert services[name]["command"][-1] == "/opt/dagster_home/workspace.yaml"
    dockerfile = (INFRA / "Dockerfile").read_text()
    assert "COPY infra/dagster.yaml infra/workspace.yaml /opt/dagster_home/" in dockerfile
    assert "dagster-postgres" in dockerfile
    # The S3 server checks the same key pair the pipeline sends.
    auth = services["s3"]["command"][services["s3"]["command"].index("--auth-key") + 1]
    assert auth == "${S3_ACCESS_KEY},${S3_SECRET_KEY}"
    env = services["code-location"]["environment"]
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == (
        "${S3_ACCESS_KEY:?set S3_ACCESS_KEY}", "${S3_SECRET_KEY:?set S3_SECRET_KEY}")
    assert env["AWS_ENDPOINT_URL"] == "http://s3:9000"


def test_both_images_pin_the_same_torch_as_the_project():
    pins = dict(re.findall(r"^(torch|torchvision)==(\S+)", (REPO / "requirements.in").read_text(), re.MULTILINE))
    for dockerfile in (INFRA / "Dockerfile", GPU / "Dockerfile"):
        assert f"torch=={pins['torch']} torchvision=={pins['torchvision']}" in dockerfile.read_text(), dockerfile
        assert "pip install --no-deps -e ." in dockerfile.read_text(), dockerfile  # the library
