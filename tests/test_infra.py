"""infra/: the GPU training path's files parse and agree with the code and the pins."""
import json
import re

import yaml

from dagster_project.pods import K8S_CONFIG_TAG, POOL_LABEL, POOL_TAG, S3_SECRET
from stages.config.loader import load_params
from tests.conftest import REPO

GPU = REPO / "infra" / "gpu"


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
    values = yaml.safe_load((GPU / "dagster-values.yaml").read_text())
    deployment = values["dagster-user-deployments"]["deployments"][0]
    assert {"name": S3_SECRET} in deployment["envSecrets"]
    assert {"name": "FRAGMENTFORGE_EXECUTOR", "value": "k8s"} in deployment["env"]
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert deployment["nodeSelector"] == {POOL_LABEL: "cpu"}
    overrides = yaml.safe_load((GPU / "params.s3.yaml").read_text())
    assert overrides["models"]["registry"].startswith("s3://")
    merged = yaml.safe_load((REPO / "params.yaml").read_text())
    for section, changes in overrides.items():
        merged[section].update(changes)
    path = REPO / "tests" / "artifacts" / "params.s3.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(merged))
    assert load_params(path).models.registry.startswith("s3://")


def test_cuda_image_pins_the_same_torch_as_the_project():
    dockerfile = (GPU / "Dockerfile").read_text()
    pins = dict(re.findall(r"^(torch|torchvision)==(\S+)", (REPO / "requirements.in").read_text(), re.MULTILINE))
    assert f"torch=={pins['torch']} torchvision=={pins['torchvision']}" in dockerfile
    assert re.search(r"^FROM \$\{CUDA_IMAGE\}", dockerfile, re.MULTILINE)
    assert "dagster_project.definitions" in dockerfile
