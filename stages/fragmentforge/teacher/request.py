"""What a teacher or judge is asked: one prompt, its images, the reply's schema, its subject."""
from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path

PROMPTS_DIR = Path(__file__).with_name("prompts")
DATA_DEPS = ("stages/fragmentforge/teacher/prompts",)  # the prompt files (lineage)


def prompt_text(name: str, **values) -> str:
    """The prompt file `prompts/<name>.md` with its {placeholders} filled in."""
    return (PROMPTS_DIR / f"{name}.md").read_text().format(**values)


@dataclass(frozen=True)
class TeacherRequest:
    item_id: str                  # unique within a batch; results come back under it
    kind: str                     # what is asked (the prompt's name): the ground-truth teacher's key
    text: str
    schema: dict                  # JSON schema the reply must follow
    images: tuple[str, ...] = ()  # image files, sent as data URLs before the text
    subject: dict = field(default_factory=dict)  # what the request is about, for the ground-truth teacher

    def content_key(self, settings: dict) -> str:
        """Hash of everything that can change the reply: text, image bytes, schema, model settings."""
        digest = hashlib.sha256()
        digest.update(json.dumps({"kind": self.kind, "text": self.text, "schema": self.schema,
                                  "settings": settings}, sort_keys=True).encode())
        for image in self.images:
            digest.update(b"\0image\0" + hashlib.sha256(Path(image).read_bytes()).digest())
        return digest.hexdigest()

    def messages(self) -> list[dict]:
        content = [{"type": "image_url", "image_url": {"url": data_url(Path(p))}} for p in self.images]
        content.append({"type": "text", "text": self.text})
        return [{"role": "user", "content": content}]


def data_url(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


@dataclass(frozen=True)
class TeacherResult:
    item_id: str
    status: str                   # ok | quarantined
    value: dict | None = None     # the parsed reply (ok only)
    reason: str = ""              # why it was quarantined
    cached: bool = False
    attempts: int = 0             # requests sent for it this run (0: from the cache)
    label_source: str = ""        # ground_truth, or model:<name>
