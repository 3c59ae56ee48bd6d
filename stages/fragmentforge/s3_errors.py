"""One plain sentence for an S3 failure (refused credentials, missing bucket, unreachable
endpoint), never holding a secret: s3fs, botocore and aiohttp each raise their own kinds."""
from __future__ import annotations

import os

REFUSED = ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "Forbidden", "403", "credentials")


def explain(exc: BaseException, where: str, endpoint: str | None) -> str:
    place = f"{where} (endpoint {endpoint or 'AWS default'})"
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, PermissionError) or any(word in text for word in REFUSED):
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
