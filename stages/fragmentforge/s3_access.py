"""S3 access shared by the video source, the model registry and the DVC remote: one client
setup, and one plain sentence for an S3 failure (refused credentials, missing bucket,
unreachable endpoint) that never holds a secret: s3fs, botocore and aiohttp each raise their
own kinds."""
from __future__ import annotations

import os
import re


def filesystem(endpoint_url: str | None = None):
    """s3fs for `endpoint_url` (else AWS_ENDPOINT_URL); credentials from the environment only."""
    import s3fs

    endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    client = {"endpoint_url": endpoint} if endpoint else {}
    # Fail fast on an unreachable endpoint instead of retrying for minutes.
    config = {"connect_timeout": 5, "read_timeout": 30, "retries": {"max_attempts": 2}}
    return s3fs.S3FileSystem(client_kwargs=client, config_kwargs=config)


REFUSED = ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "Forbidden", "403", "credentials")


def explain(exc: BaseException, where: str, endpoint: str | None) -> str:
    place = f"{where} (endpoint {endpoint or 'AWS default'})"
    text = f"{type(exc).__name__}: {exc}"
    # Whole words, with the endpoint taken out: a port such as 40343 is not an HTTP 403.
    words = set(re.findall(r"\w+", text.replace(endpoint, " ") if endpoint else text))
    if isinstance(exc, PermissionError) or any(word in words for word in REFUSED):
        return (f"{place} refused the credentials; set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the "
                "tool's local config)")
    if isinstance(exc, FileNotFoundError) or "NoSuchBucket" in text:
        return f"{place}: the bucket or prefix does not exist"
    return f"cannot reach {place}: {type(exc).__name__}"


def scrub(text: str, hidden: list[str] = ()) -> str:
    for secret in [*hidden, os.environ.get("AWS_SECRET_ACCESS_KEY"), os.environ.get("AWS_SESSION_TOKEN")]:
        if secret:
            text = text.replace(secret, "***")
    return text
