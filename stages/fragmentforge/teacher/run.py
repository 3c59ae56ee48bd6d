"""Answer a batch of requests with a teacher: cached, concurrent, never stopped by one item."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from fragmentforge.teacher.cache import ReplyCache
from fragmentforge.teacher.client import ChatClient, ServerError
from fragmentforge.teacher.ground_truth import GroundTruthTeacher
from fragmentforge.teacher.reply import parse_reply
from fragmentforge.teacher.request import TeacherRequest, TeacherResult


@dataclass
class BatchStats:
    requests: int = 0
    cache_hits: int = 0
    sent: int = 0           # HTTP requests, retries included
    ok: int = 0
    malformed: int = 0      # replies that were not the requested JSON
    failed: int = 0         # no reply: timeouts, 5xx, refused connections after retries
    quarantined: int = 0    # malformed + failed + unanswerable

    @property
    def hit_rate(self) -> float:
        return self.cache_hits / self.requests if self.requests else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "hit_rate": round(self.hit_rate, 4)}


def make_teacher(settings, answerers: dict):
    """The teacher `settings.kind` names: the ground-truth one, or a chat-completions client."""
    if settings.kind == "ground_truth":
        return GroundTruthTeacher(answerers)
    return ChatClient(settings)


def cache_settings(settings) -> dict:
    """The settings that can change a reply (the URL and the key cannot: same model, same reply)."""
    return {"model": settings.model, "temperature": settings.temperature, "max_tokens": settings.max_tokens,
            "seed": settings.seed, "structured_output": settings.structured_output}


def answer_all(requests: list[TeacherRequest], teacher, cache_dir: Path | None,
               settings) -> tuple[list[TeacherResult], BatchStats]:
    """One result per request, in order. Server replies are cached by content hash, so a rerun
    with nothing changed sends nothing; the ground-truth teacher is not cached (it is free)."""
    ids = [r.item_id for r in requests]
    if len(set(ids)) != len(ids):
        raise ValueError("request item_ids must be unique within a batch")
    stats = BatchStats(requests=len(requests))
    if isinstance(teacher, GroundTruthTeacher):
        results = [_result(r, *teacher.answer(r), cached=False, source=teacher.label_source, stats=stats)
                   for r in requests]
        return results, stats
    cache = ReplyCache(cache_dir)
    keyed = cache_settings(settings)

    def one(request: TeacherRequest) -> TeacherResult:
        key = request.content_key(keyed)
        entry = cache.get(key)
        if entry is not None:
            value, problem = parse_reply(entry["content"], request.schema)
            return _result(request, value, problem, 0, cached=True, source=teacher.label_source)
        try:
            text, attempts = teacher.complete(request)
        except ServerError as exc:
            return _result(request, None, f"no reply: {exc}", -1, cached=False, source=teacher.label_source)
        cache.put(key, {"content": text, "kind": request.kind, "model": settings.model})
        value, problem = parse_reply(text, request.schema)
        return _result(request, value, problem, attempts, cached=False, source=teacher.label_source)

    sent_before = teacher.sent
    with ThreadPoolExecutor(max_workers=settings.concurrency) as pool:
        results = list(pool.map(one, requests))
    for result in results:
        _count(stats, result)
    stats.sent = teacher.sent - sent_before
    return results, stats


def _result(request, value, problem, attempts, *, cached, source, stats=None) -> TeacherResult:
    # attempts < 0: the request was sent but no reply came back (the count is in the client)
    result = TeacherResult(item_id=request.item_id, status="ok" if value is not None else "quarantined",
                           value=value, reason=problem, cached=cached, attempts=max(attempts, 0),
                           label_source=source)
    if stats is not None:
        _count(stats, result)
    return result


def _count(stats: BatchStats, result: TeacherResult) -> None:
    stats.cache_hits += result.cached
    if result.status == "ok":
        stats.ok += 1
        return
    stats.quarantined += 1
    if result.reason.startswith("malformed"):
        stats.malformed += 1
    elif result.reason.startswith("no reply"):
        stats.failed += 1
