"""Videos under an s3:// prefix, read through s3fs and fetched before probing.

The endpoint comes from the source's `endpoint_url`, else AWS_ENDPOINT_URL; credentials
from the usual AWS variables or files, never from params.yaml, and never printed.
"""
from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from typing import Optional

from fragmentforge.config.schema import check
from fragmentforge.s3_access import explain, filesystem, scrub
from fragmentforge.sources import Candidate, SourceContext


@dataclass(frozen=True)
class Options:
    name: str
    kind: str
    uri: str = check(lambda v: v.startswith("s3://") and len(v) > 5, "must look like s3://bucket/prefix")
    pattern: str = "*"
    endpoint_url: Optional[str] = None


def list_candidates(source, context: SourceContext) -> list[Candidate]:
    fs = filesystem(source.endpoint_url)
    prefix = source.uri[len("s3://"):].rstrip("/")
    try:
        keys = fs.find(prefix)
    except Exception as exc:  # s3fs, botocore and aiohttp each raise their own kinds
        endpoint = source.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
        raise OSError(scrub(explain(exc, f"the video source {source.uri}", endpoint))) from None
    out = []
    target_dir = context.download_dir / source.name
    for key in keys:
        name = key[len(prefix):].lstrip("/")
        if not fnmatch.fnmatch(name, source.pattern):
            continue
        local = target_dir / name
        local.parent.mkdir(parents=True, exist_ok=True)
        try:
            fs.get(key, str(local))
            out.append(Candidate(source=source.name, name=name, uri=f"s3://{key}", local_path=local))
        except Exception as exc:  # one failed download is that input's problem only
            out.append(Candidate(source=source.name, name=name, uri=f"s3://{key}",
                                 problem=f"download failed: {type(exc).__name__}: {exc}"))
    return out
