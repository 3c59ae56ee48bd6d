"""Noticing new base models in the registry without picking up a half-copied folder.

A folder is taken when two looks in a row (sensor ticks) see the same files with the same
sizes and modification stamps, and it then describes as a loadable model: config.json with a
model_type, a tokenizer, and every safetensors shard exactly as long as its header says. A
complete folder whose model_type no family serves is kept in the cursor as unsupported, with
the reason, and never taken.
Copy tools (cp, rsync, aws s3 cp, hub downloads) need no marker file for this to hold.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from fragmentforge.models.registry import ModelEntry, ModelFolderError, Registry, UnsupportedFamily


@dataclass
class Landed:
    entry: ModelEntry
    previous_hash: str | None  # the content hash this folder had when last taken; None the first time


@dataclass
class WatchResult:
    landed: list[Landed] = field(default_factory=list)
    waiting: dict[str, str] = field(default_factory=dict)  # name -> why it is not taken yet
    unsupported: dict[str, str] = field(default_factory=dict)  # name -> why it is never taken (no family)
    cursor: dict = field(default_factory=dict)


def listing_fingerprint(files: dict[str, dict]) -> str:
    digest = hashlib.sha256()
    for relative in sorted(files):
        info = files[relative]
        stamp = info.get("ETag") or info.get("mtime") or info.get("LastModified")
        digest.update(f"{relative}\0{info['size']}\0{stamp}\n".encode())
    return digest.hexdigest()


def watch(registry: Registry, cursor: dict) -> WatchResult:
    """One look at the registry. `cursor` is what the previous look returned ({} at first)."""
    accepted = dict(cursor.get("accepted", {}))  # name -> {"listing", "hash"}
    pending = dict(cursor.get("pending", {}))    # name -> listing seen last time
    refused = dict(cursor.get("unsupported", {}))  # name -> {"listing", "reason"}: no family serves it
    result = WatchResult()
    names = registry.folder_names()
    for name in names:
        listing = listing_fingerprint(registry.files(name))
        if accepted.get(name, {}).get("listing") == listing:
            continue
        if refused.get(name, {}).get("listing") == listing:
            result.unsupported[name] = refused[name]["reason"]
            continue
        if pending.get(name) != listing:
            pending[name] = listing
            result.waiting[name] = "new or still changing; looked at again next time"
            continue
        try:
            entry = registry.describe(name)
        except UnsupportedFamily as exc:
            del pending[name]
            refused[name] = {"listing": listing, "reason": str(exc)}
            result.unsupported[name] = str(exc)
            continue
        except ModelFolderError as exc:
            result.waiting[name] = f"not a loadable model (yet): {exc}"
            continue
        del pending[name]
        previous = accepted.get(name, {}).get("hash")
        accepted[name] = {"listing": listing, "hash": entry.content_hash}
        result.landed.append(Landed(entry, previous))
    result.cursor = {"accepted": {n: v for n, v in accepted.items() if n in names},
                     "pending": {n: v for n, v in pending.items() if n in names},
                     "unsupported": {n: v for n, v in refused.items() if n in names}}
    return result
