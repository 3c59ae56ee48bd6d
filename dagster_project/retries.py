"""Step retries for transient failures only: a refused or dropped connection to S3 is retried
with a growing wait; a bad video, model or parameter fails at once."""
from __future__ import annotations

from contextlib import contextmanager

from dagster import RetryRequested

MAX_RETRIES = 3
FIRST_WAIT_S = 5


def transient_errors() -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = [ConnectionError, TimeoutError]
    try:
        from botocore import exceptions as boto

        found += [boto.EndpointConnectionError, boto.ConnectionClosedError, boto.ConnectTimeoutError,
                  boto.ReadTimeoutError]
    except ImportError:  # botocore comes with s3fs; without it nothing here talks to S3
        pass
    return tuple(found)


@contextmanager
def retry_transient(context):
    """Around an asset body: a transient error becomes RetryRequested, so Dagster re-runs the
    step after a wait that doubles each time (5, 10, 20 s)."""
    try:
        yield
    except transient_errors() as exc:
        raise RetryRequested(max_retries=MAX_RETRIES, seconds_to_wait=FIRST_WAIT_S * 2 ** context.retry_number) from exc
