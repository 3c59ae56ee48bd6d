"""The OpenAI-compatible chat-completions client (vLLM, SGLang, TGI, llama.cpp, `transformers serve`).

One HTTP request per TeacherRequest, at most `concurrency` in flight. 429, 5xx, timeouts and
refused connections are retried with exponential backoff (a Retry-After header is honoured);
what still fails comes back as a quarantined result with its reason. The API key is read from
the environment variable the settings name and goes only into the Authorization header.
"""
from __future__ import annotations

import os
import threading
import time

import httpx

from fragmentforge.teacher.reply import parse_reply
from fragmentforge.teacher.request import TeacherRequest

RETRYABLE_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
MAX_BACKOFF_S = 30.0


class ServerError(Exception):
    """The server gave no usable reply (after retries, or one that is not retried)."""


class ChatClient:
    def __init__(self, settings):
        self.settings = settings
        self.label_source = f"model:{settings.model}"
        self.sent = 0
        self._lock = threading.Lock()
        headers = {"content-type": "application/json"}
        key = os.environ.get(settings.api_key_env or "", "")
        if key:
            headers["authorization"] = f"Bearer {key}"
        self._http = httpx.Client(base_url=settings.base_url.rstrip("/") + "/", headers=headers,
                                  timeout=httpx.Timeout(settings.timeout_s))

    def __repr__(self) -> str:  # never the key
        return f"ChatClient({self.settings.base_url!r}, model={self.settings.model!r})"

    def close(self) -> None:
        self._http.close()

    def body(self, request: TeacherRequest) -> dict:
        body = {"model": self.settings.model, "messages": request.messages(),
                "temperature": self.settings.temperature, "max_tokens": self.settings.max_tokens}
        if self.settings.seed is not None:
            body["seed"] = self.settings.seed
        if self.settings.structured_output:
            body["response_format"] = {"type": "json_schema", "json_schema": {
                "name": request.kind, "schema": request.schema, "strict": True}}
        return body

    def complete(self, request: TeacherRequest) -> tuple[str, int]:
        """(the reply's text, requests sent); raises ServerError when none came back."""
        body = self.body(request)
        attempts, problem, retry_after = 0, "", None
        for attempt in range(self.settings.retries + 1):
            if attempt:
                time.sleep(self._backoff(attempt, retry_after))
            attempts += 1
            with self._lock:
                self.sent += 1
            try:
                response = self._http.post("chat/completions", json=body)
            except httpx.TimeoutException:
                problem = f"timed out after {self.settings.timeout_s:g} s"
                continue
            except httpx.TransportError as exc:
                problem = f"no connection to {self.settings.base_url} ({type(exc).__name__})"
                continue
            if response.status_code == 200:
                return _content(response), attempts
            problem = f"HTTP {response.status_code}"
            retry_after = response.headers.get("retry-after") if response.status_code == 429 else None
            if response.status_code not in RETRYABLE_STATUS:
                break
        raise ServerError(f"{problem} after {attempts} attempt{'s' * (attempts > 1)}")

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        wait = self.settings.backoff_s * 2 ** (attempt - 1)
        if retry_after:
            try:
                wait = max(wait, float(retry_after))
            except ValueError:
                pass  # an HTTP date: keep the exponential wait
        return min(wait, MAX_BACKOFF_S)

    def answer(self, request: TeacherRequest) -> tuple[dict | None, str, int]:
        """(value, problem, attempts): the parsed reply, or why there is none."""
        text, attempts = self.complete(request)
        value, problem = parse_reply(text, request.schema)
        return value, problem, attempts


def _content(response: httpx.Response) -> str:
    try:
        return response.json()["choices"][0]["message"]["content"] or ""
    except (ValueError, KeyError, IndexError, TypeError):
        raise ServerError("HTTP 200 without a chat completion in the body") from None
