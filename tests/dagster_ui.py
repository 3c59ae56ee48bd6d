"""The Dagster UI for tests: `dagster-webserver` or `dagster dev` on loopback, and Debian's
Chromium driven by Playwright to look at it (the system browser; nothing is downloaded)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import REPO, free_port

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling Google, which this closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def graphql(url: str, query: str) -> dict:
    request = urllib.request.Request(f"{url}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@contextmanager
def _served(program: list[str], root, env, log_path: Path, timeout_s: float):
    """Start a Dagster server as its own process group, yield its URL once GraphQL answers,
    then stop the whole group (dagster dev has a daemon and a webserver beneath it)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        process = subprocess.Popen([*program, "-m", "dagster_project.definitions", "-h", "127.0.0.1", "-p", str(port)],
                                   cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                try:
                    graphql(url, "{ version }")
                    break
                except OSError:
                    assert process.poll() is None, log_path.read_text()[-4000:]
                    name = " ".join(Path(part).name for part in program)
                    assert time.monotonic() < deadline, f"{name} did not answer within {timeout_s} s"
                    time.sleep(1)
            yield url
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


@contextmanager
def webserver(root, env, timeout_s: float = 120):
    with tempfile.TemporaryDirectory() as scratch:
        with _served([str(REPO / ".venv" / "bin" / "dagster-webserver")], root, env,
                     Path(scratch) / "webserver.log", timeout_s) as url:
            yield url


@contextmanager
def dagster_dev(root, env, log_path: Path, timeout_s: float = 180):
    """`dagster dev`: webserver and daemon, so sensors tick and launch runs."""
    with _served([str(REPO / ".venv" / "bin" / "dagster"), "dev"], root, env, log_path, timeout_s) as url:
        yield url


@contextmanager
def chromium_page(width: int = 1600, height: int = 1000):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()
