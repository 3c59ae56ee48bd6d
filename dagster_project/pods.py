"""Kubernetes pod settings per asset, read by dagster-k8s's executor from op tags.

Assets that train ask for GPUs on the GPU node pool; the tags are inert under the local
executors `make run` uses. infra/gpu/README.md says how to turn the Kubernetes executor on.
"""
from __future__ import annotations

K8S_CONFIG_TAG = "dagster-k8s/config"
POOL_LABEL = "fragmentforge.io/pool"
S3_SECRET = "fragmentforge-s3"  # AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL
POOL_TAG = "fragmentforge/pool"
# Steps that run torch take the whole machine: two at once on one host oversubscribe its
# cores (measured: 8-10x slower training on 2 cores). The local executor runs them one by one.
TORCH_STEP = {POOL_TAG: "torch"}
LOCAL_LIMITS = [{"key": POOL_TAG, "value": "torch", "limit": 1}]


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
