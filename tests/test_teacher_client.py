"""The teacher client against a real OpenAI-compatible server on loopback (`transformers serve`
with the project's tiny model), and its retry, backoff and concurrency rules on a scripted transport."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from fragmentforge.config import load_params
from fragmentforge.config.schema import TeacherParams
from fragmentforge.models.twins import build_twin
from fragmentforge.teacher.client import ChatClient
from fragmentforge.teacher.ground_truth import GroundTruthTeacher, MissingAnnotation
from fragmentforge.teacher.request import TeacherRequest
from fragmentforge.teacher.run import answer_all
from tests.conftest import REPO, free_port

SERVE = REPO / ".venv" / "bin" / "transformers"
WORD = {"type": "string", "minLength": 1}
OBJECT = {"type": "object", "required": ["limb"], "properties": {"limb": {"type": "string"}}}
ACCESS_LINE = '"POST /v1/chat/completions HTTP/1.1"'


def _images(folder: Path, count: int) -> list[Path]:
    rng = np.random.default_rng(0)
    paths = []
    for i in range(count):
        path = folder / f"frame{i}.jpg"
        Image.fromarray(rng.integers(0, 256, (112, 112, 3), dtype=np.uint8)).save(path)
        paths.append(path)
    return paths


class Server:
    """`transformers serve` on a free loopback port; `posts()` counts chat requests in its access log."""

    def __init__(self, model: Path, log: Path):
        self.port = free_port()
        self.log = log
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(log.parent / "hf"), "NO_COLOR": "1"}
        self.process = subprocess.Popen(
            [str(SERVE), "serve", str(model), "--host", "127.0.0.1", "--port", str(self.port),
             "--device", "cpu", "--log-level", "info", "--default-seed", "0"],
            stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
        self.url = f"http://127.0.0.1:{self.port}/v1"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.process.poll() is None, log.read_text()[-3000:]
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        raise AssertionError("transformers serve did not come up:\n" + log.read_text()[-3000:])

    def posts(self) -> int:
        time.sleep(0.2)  # let the access log flush
        return self.log.read_text().count(ACCESS_LINE)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    model = build_twin(load_params(REPO / "params.yaml").models.tiny, root / "tiny")
    running = Server(model, root / "server.log")
    yield running, model, root
    running.stop()


def _settings(url: str, model: Path, **overrides) -> TeacherParams:
    base = TeacherParams(kind="openai", base_url=url, model=str(model), max_tokens=8, concurrency=2,
                         timeout_s=60, retries=2, backoff_s=0.05, structured_output=False)
    return replace(base, **overrides)


@pytest.mark.slow
def test_real_server_replies_are_cached_and_a_rerun_sends_nothing(server):
    running, model, root = server
    images = _images(root, 3)
    requests = [TeacherRequest(f"q{i}", "pose_description", f"Describe frame {i}.", WORD, images=(str(p),))
                for i, p in enumerate(images)]
    settings = _settings(running.url, model)
    cache = root / "cache-a"
    before = running.posts()
    first, stats = answer_all(requests, ChatClient(settings), cache, settings)
    assert running.posts() - before == 3 and stats.sent == 3 and stats.cache_hits == 0
    assert [r.status for r in first] == ["ok"] * 3 and all(r.value for r in first)
    assert {r.label_source for r in first} == {f"model:{model}"}

    again, stats = answer_all(requests, ChatClient(settings), cache, settings)
    assert running.posts() - before == 3, "an identical rerun must send nothing"
    assert stats.sent == 0 and stats.cache_hits == 3 and stats.hit_rate == 1.0
    assert [r.value for r in again] == [r.value for r in first] and all(r.cached for r in again)

    changed = [replace(requests[0], text="Describe the first frame again.")]
    _, stats = answer_all(changed, ChatClient(settings), cache, settings)
    assert running.posts() - before == 4 and stats.cache_hits == 0, "a changed prompt is a new request"


@pytest.mark.slow
def test_timeout_500_and_malformed_reply_each_quarantine_one_item(server):
    running, model, root = server
    (good,) = _images(root, 1)
    broken = root / "broken.jpg"
    broken.write_bytes(b"these bytes are not an image" * 10)
    settings = _settings(running.url, model)
    requests = [TeacherRequest("fine", "pose_description", "Describe the frame.", WORD, images=(str(good),)),
                TeacherRequest("server-error", "pose_description", "Describe it.", WORD, images=(str(broken),)),
                TeacherRequest("not-json", "pose_difference", "Which limb moved? Reply in JSON.", OBJECT,
                               images=(str(good),))]
    before = running.posts()
    results, stats = answer_all(requests, ChatClient(settings), root / "cache-b", settings)
    by_id = {r.item_id: r for r in results}
    assert by_id["fine"].status == "ok"
    assert by_id["server-error"].status == "quarantined"
    assert by_id["server-error"].reason == "no reply: HTTP 500 after 3 attempts"
    assert by_id["not-json"].status == "quarantined" and by_id["not-json"].reason.startswith("malformed reply: ")
    assert stats.malformed == 1 and stats.failed == 1 and stats.quarantined == 2 and stats.ok == 1
    assert running.posts() - before == 1 + 3 + 1  # the 500 was retried twice

    hurried = replace(settings, timeout_s=0.005, retries=1)
    (late,), stats = answer_all([replace(requests[0], item_id="late", text="Describe it slowly.")],
                                ChatClient(hurried), root / "cache-c", hurried)
    assert late.status == "quarantined" and late.reason == "no reply: timed out after 0.005 s after 2 attempts"
    assert stats.failed == 1 and stats.sent == 2 and not list((root / "cache-c").glob("*/*.json"))


def _scripted(replies, seen, delay=0.0):
    """A transport that answers with `replies` in turn, recording bodies and peak concurrency."""
    state = {"inflight": 0, "peak": 0}
    lock = threading.Lock()

    def handle(request: httpx.Request) -> httpx.Response:
        with lock:
            state["inflight"] += 1
            state["peak"] = max(state["peak"], state["inflight"])
            seen.append(request)
            reply = replies[min(len(seen), len(replies)) - 1]
        time.sleep(delay)
        with lock:
            state["inflight"] -= 1
        return reply(request) if callable(reply) else reply

    return httpx.MockTransport(handle), state


def _completion(text: str) -> httpx.Response:
    return httpx.Response(200, json={"choices": [{"message": {"role": "assistant", "content": text}}]})


def _client(settings, transport) -> ChatClient:
    client = ChatClient(settings)
    client._http = httpx.Client(base_url=settings.base_url + "/", transport=transport,
                                headers=client._http.headers, timeout=settings.timeout_s)
    return client


def test_429_is_retried_after_the_servers_wait_and_the_key_stays_in_the_header(monkeypatch, tmp_path):
    monkeypatch.setenv("FF_TEST_KEY", "sk-never-print-me")
    seen = []
    transport, _ = _scripted([httpx.Response(429, headers={"retry-after": "0.3"}),
                              _completion('{"limb": "right arm"}')], seen)
    settings = TeacherParams(kind="openai", model="m", api_key_env="FF_TEST_KEY", backoff_s=0.01, retries=2)
    client = _client(settings, transport)
    start = time.monotonic()
    (result,), stats = answer_all([TeacherRequest("a", "pose_difference", "?", OBJECT)], client, tmp_path, settings)
    assert time.monotonic() - start >= 0.3
    assert result.value == {"limb": "right arm"} and result.attempts == 2 and stats.sent == 2
    assert seen[0].headers["authorization"] == "Bearer sk-never-print-me"
    assert "sk-never" not in repr(client) and "sk-never" not in repr(settings)
    assert b'"response_format"' in seen[0].content  # the schema goes to servers that honour it


def test_a_400_is_not_retried_and_concurrency_is_bounded(tmp_path):
    seen = []
    transport, state = _scripted([_completion('"x"')], seen, delay=0.05)
    settings = TeacherParams(kind="openai", model="m", concurrency=3)
    requests = [TeacherRequest(f"r{i}", "caption", f"caption {i}", WORD) for i in range(12)]
    results, stats = answer_all(requests, _client(settings, transport), tmp_path, settings)
    assert stats.ok == 12 and state["peak"] == 3

    seen.clear()
    transport, _ = _scripted([httpx.Response(400, json={"error": "bad"})], seen)
    (result,), stats = answer_all([TeacherRequest("b", "caption", "new", WORD)], _client(settings, transport),
                                  tmp_path, settings)
    assert result.reason == "no reply: HTTP 400 after 1 attempt" and len(seen) == 1


def test_the_ground_truth_teacher_checks_its_own_replies():
    teacher = GroundTruthTeacher({"pose_difference": lambda s: {"limb": s["limb"]},
                                  "caption": lambda s: (_ for _ in ()).throw(MissingAnnotation("no keypoints"))})
    requests = [TeacherRequest("a", "pose_difference", "?", OBJECT, subject={"limb": "left leg"}),
                TeacherRequest("b", "pose_difference", "?", OBJECT, subject={"limb": 3}),
                TeacherRequest("c", "caption", "?", WORD), TeacherRequest("d", "unknown", "?", WORD)]
    results, stats = answer_all(requests, teacher, None, TeacherParams())
    assert [r.status for r in results] == ["ok", "quarantined", "quarantined", "quarantined"]
    assert results[0].value == {"limb": "left leg"} and results[0].label_source == "ground_truth"
    assert "does not follow the schema at limb" in results[1].reason
    assert results[2].reason == "no ground truth: no keypoints"
    assert "cannot answer 'unknown'" in results[3].reason and stats.sent == 0
