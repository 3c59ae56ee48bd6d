"""A reply's text -> the JSON object the request's schema asks for, or why not."""
from __future__ import annotations

import json
import re

import jsonschema

_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


def parse_reply(content: str, schema: dict) -> tuple[dict | None, str]:
    """(value, "") when `content` is one JSON value that follows `schema`, else (None, reason).
    A schema of type string takes the reply's text as it is (captions, free answers)."""
    text = (content or "").strip()
    if schema.get("type") == "string":
        problem = schema_problem(text, schema)
        return (None, f"malformed reply: {problem}") if problem else (text, "")
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        value = json.loads(text)
    except ValueError:
        return None, f"malformed reply: not JSON ({_clip(content)!r})"
    problem = schema_problem(value, schema)
    if problem:
        return None, f"malformed reply: {problem}"
    return value, ""


def schema_problem(value, schema: dict) -> str:
    try:
        jsonschema.validate(value, schema)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "<top>"
        return f"does not follow the schema at {where}: {exc.message}"
    return ""


def _clip(text: str, limit: int = 80) -> str:
    text = text or ""
    return text if len(text) <= limit else text[:limit] + "..."
