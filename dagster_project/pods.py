"""Kubernetes pod settings per asset, read by dagster-k8s's executor from op tags.

Assets that train ask for GPUs on the GPU node pool; the tags are inert under the local
executors `make run` uses. infra/gpu/README.md says how to turn the Kubernetes executor on.
"""
from __future__ import annotations

K8S_CONFIG_TAG = "dagster-k8s/config"
POOL_LABEL = "fragmentforge.io/pool"
S3_SECRET = "fragmentforge-s3"  # AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL
POOL_TAG = "fragmentforge/pool"
# Steps that run torch share the host's cores: more threads than cores made training 8-10x
# slower on 2 cores. Each training runs on `training.threads` threads, so the local executor
# runs `training.parallel` of them at once (the DVC stage trains the same lanes).
TORCH_STEP = {POOL_TAG: "torch"}


def local_limits(parallel: int) -> list[dict]:
    return [{"key": POOL_TAG, "value": "torch", "limit": parallel}]


def gpu_pod_tags(gpus: int = 1, cpu: str = "8", memory: str = "64Gi") -> dict:
    return {K8S_CONFIG_TAG: {
        "container_config": {
            "resources": {"requests": {"cpu": cpu, "memory": memory, "nvidia.com/gpu": str(gpus)},
                          "limits": {"memory": memory, "nvidia.com/gpu": str(gpus)}},
            "env_from": [{"secret_ref": {"name": S3_SECRET}}],
        },
        "pod_spec_config": {
            "node_selector": {POOL_LABEL: "gpu"},
            "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
        },
    }}


def cpu_pod_tags(cpu: str = "2", memory: str = "8Gi") -> dict:
    return {K8S_CONFIG_TAG: {
        "container_config": {"resources": {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memory}},
                             "env_from": [{"secret_ref": {"name": S3_SECRET}}]},
        "pod_spec_config": {"node_selector": {POOL_LABEL: "cpu"}},
    }}
