"""The model registry: base models as Hugging Face folders under a local folder or s3:// prefix.

Scanning reads only small files and the safetensors headers, so it stays cheap for
multi-gigabyte models; content hashes are cached by (path, size, mtime or ETag).
A folder that cannot be a loadable model is reported with its reason.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from fragmentforge.common import write_json_atomic
from fragmentforge.models.families import UnsupportedModel, family_for

WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json")
TOKENIZER_FILES = ("tokenizer.json", "vocab.json", "tokenizer.model")


@dataclass(frozen=True)
class ModelEntry:
    name: str
    uri: str
    architecture: str
    model_type: str
    parameters: int
    bytes: int
    content_hash: str
    remote_code: tuple[str, ...] = ()  # the folder's own .py files its family runs (allow-listed)


@dataclass(frozen=True)
class RegistryProblem:
    name: str
    uri: str
    reason: str


class Registry:
    """A registry root: a local folder, or an s3:// prefix read through s3fs."""

    def __init__(self, root: str, endpoint_url: str | None = None, hash_cache: Path | None = None,
                 remote_code_allowed: tuple[str, ...] = ()):
        self.root = root.rstrip("/")
        self.remote_code_allowed = tuple(remote_code_allowed)  # models.trust_remote_code
        self.is_s3 = root.startswith("s3://")
        if self.is_s3:
            from fragmentforge.s3_access import filesystem

            self.fs = filesystem(endpoint_url)
            self.endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
            self.base = self.root[len("s3://"):]
        else:
            import fsspec

            self.fs = fsspec.filesystem("file")
            self.base = str(Path(root).resolve())
        self.hash_cache_path = hash_cache
        self.hash_cache = json.loads(hash_cache.read_text()) if hash_cache and hash_cache.is_file() else {}

    def uri(self, name: str) -> str:
        return f"{self.root}/{name}"

    def folder_names(self) -> list[str]:
        try:
            if not self.fs.exists(self.base):
                return []
            entries = self.fs.ls(self.base, detail=True)
        except Exception as exc:
            if not self.is_s3:
                raise
            from fragmentforge.s3_access import explain, scrub

            raise RegistryAccessError(scrub(explain(exc, f"the model registry {self.root}", self.endpoint))) from None
        return sorted(PurePosixPath(e["name"]).name for e in entries
                      if e["type"] == "directory" and not PurePosixPath(e["name"]).name.startswith("."))

    def files(self, name: str) -> dict[str, dict]:
        """Relative path -> fsspec info for every file of a model folder. Hidden paths
        (.cache/ from hub tools, our .complete marker) are not part of the model."""
        folder = f"{self.base}/{name}"
        found = self.fs.find(folder, detail=True)
        out = {}
        for path, info in found.items():
            relative = PurePosixPath(path).relative_to(folder)
            if info["type"] == "file" and not any(part.startswith(".") for part in relative.parts):
                out[str(relative)] = info
        return out

    def read_bytes(self, name: str, relative: str, length: int | None = None) -> bytes:
        with self.fs.open(f"{self.base}/{name}/{relative}", "rb") as handle:
            return handle.read() if length is None else handle.read(length)

    def scan(self) -> tuple[list[ModelEntry], list[RegistryProblem]]:
        models, problems = [], []
        for name in self.folder_names():
            try:
                models.append(self.describe(name))
            except ModelFolderError as exc:
                problems.append(RegistryProblem(name=name, uri=self.uri(name), reason=str(exc)))
        self.save_hash_cache()
        return models, problems

    def describe(self, name: str) -> ModelEntry:
        files = self.files(name)
        if "config.json" not in files:
            raise ModelFolderError("no config.json")
        try:
            config = json.loads(self.read_bytes(name, "config.json"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ModelFolderError(f"config.json is not valid JSON: {exc}") from None
        model_type = config.get("model_type")
        if not model_type:
            raise ModelFolderError("config.json has no model_type")
        architecture = (config.get("architectures") or ["?"])[0]
        try:
            family = family_for(model_type)
        except UnsupportedModel as exc:
            raise UnsupportedFamily(f"unsupported: {exc}") from None
        remote_code = self.remote_code(name, config, files) if family.TRUST_REMOTE_CODE else ()
        if not any(f in files for f in TOKENIZER_FILES):
            raise ModelFolderError(f"no tokenizer (expected one of {', '.join(TOKENIZER_FILES)})")
        parameters = self.count_parameters(name, files)
        return ModelEntry(name=name, uri=self.uri(name), architecture=architecture, model_type=model_type,
                          parameters=parameters, bytes=sum(int(i["size"]) for i in files.values()),
                          content_hash=self.content_hash(name, files), remote_code=remote_code)

    def remote_code(self, name: str, config: dict, files: dict[str, dict]) -> tuple[str, ...]:
        """The .py files of the folder that config.json's auto_map names. Refused unless the model
        is allow-listed and every module is in the folder itself (a "repo--module" reference
        would be fetched from the hub)."""
        references = [ref for refs in (config.get("auto_map") or {}).values()
                      for ref in (refs if isinstance(refs, list) else [refs]) if ref]
        if not references:
            raise UnsupportedFamily("unsupported: its family runs the model's own code, but config.json has no auto_map")
        outside = sorted({r for r in references if "--" in r})
        if outside:
            raise UnsupportedFamily(f"unsupported: auto_map points outside the folder ({', '.join(outside)}); "
                                    "nothing is downloaded")
        modules = sorted({r.rsplit(".", 1)[0].replace(".", "/") + ".py" for r in references})
        missing = [m for m in modules if m not in files]
        if missing:
            raise UnsupportedFamily(f"unsupported: auto_map names {', '.join(missing)}, not in the folder; "
                                    "nothing is downloaded")
        if name not in self.remote_code_allowed:
            raise UnsupportedFamily(f"unsupported until allowed: it runs its own code ({', '.join(modules)}); "
                                    f"list {name!r} in models.trust_remote_code to allow it")
        return tuple(modules)

    def count_parameters(self, name: str, files: dict[str, dict]) -> int:
        if "model.safetensors.index.json" in files:
            index = json.loads(self.read_bytes(name, "model.safetensors.index.json"))
            shards = sorted(set(index.get("weight_map", {}).values()))
            missing = [s for s in shards if s not in files]
            if not shards or missing:
                raise ModelFolderError(f"weight shards missing: {', '.join(missing) or 'index lists none'}")
        elif "model.safetensors" in files:
            shards = ["model.safetensors"]
        else:
            raise ModelFolderError(f"no weights (expected {' or '.join(WEIGHT_FILES)})")
        return sum(self.safetensors_parameters(name, shard, int(files[shard]["size"])) for shard in shards)

    def safetensors_parameters(self, name: str, shard: str, size: int) -> int:
        """Parameters in one shard, from its header; a shard shorter or longer than its header
        says (still being copied, or truncated) is not a loadable model."""
        try:
            with self.fs.open(f"{self.base}/{name}/{shard}", "rb") as handle:
                (length,) = struct.unpack("<Q", handle.read(8))
                if length > 100 * 2**20:
                    raise ValueError(f"header length {length}")
                header = json.loads(handle.read(length))
        except (struct.error, ValueError, UnicodeDecodeError) as exc:
            raise ModelFolderError(f"{shard} is not a safetensors file ({exc})") from None
        total, data_end = 0, 0
        for key, tensor in header.items():
            if key == "__metadata__":
                continue
            count = 1
            for dim in tensor["shape"]:
                count *= dim
            total += count
            data_end = max(data_end, int(tensor["data_offsets"][1]))
        if size != 8 + length + data_end:
            raise ModelFolderError(f"{shard} holds {size:,} bytes but its header describes {8 + length + data_end:,} "
                                   "(still being copied, or truncated)")
        return total

    def content_hash(self, name: str, files: dict[str, dict]) -> str:
        """sha256 over (relative path, file sha256) pairs; file digests are cached."""
        digest = hashlib.sha256()
        for relative in sorted(files):
            info = files[relative]
            stamp = f"{info['size']}:{info.get('ETag') or info.get('mtime') or info.get('LastModified')}"
            key = f"{self.uri(name)}/{relative}"
            cached = self.hash_cache.get(key)
            if not cached or cached["stamp"] != stamp:
                file_digest = hashlib.sha256()
                with self.fs.open(f"{self.base}/{name}/{relative}", "rb") as handle:
                    while chunk := handle.read(1 << 20):
                        file_digest.update(chunk)
                cached = {"stamp": stamp, "sha256": file_digest.hexdigest()}
                self.hash_cache[key] = cached
            digest.update(f"{relative}\0{cached['sha256']}\n".encode())
        return digest.hexdigest()

    def save_hash_cache(self) -> None:
        if self.hash_cache_path:
            self.hash_cache_path.parent.mkdir(parents=True, exist_ok=True)
            write_json_atomic(self.hash_cache_path, self.hash_cache)

    def local_copy(self, entry: ModelEntry, cache_dir: Path) -> Path:
        """A local folder with the model's files: the folder itself for a local registry,
        else a download keyed by content hash (reused while the hash holds)."""
        if not self.is_s3:
            return Path(self.base) / entry.name
        target = cache_dir / f"{entry.name}-{entry.content_hash[:16]}"
        if (target / ".complete").is_file():
            return target
        # Trainings side by side may both download: each into its own folder, the first renamed in wins.
        staging = target.with_name(f"{target.name}.part-{os.getpid()}-{threading.get_ident()}")
        if staging.exists():
            shutil.rmtree(staging)
        self.fs.get(f"{self.base}/{entry.name}/", str(staging), recursive=True)
        (staging / ".complete").write_text(entry.content_hash + "\n")
        try:
            staging.rename(target)
        except OSError:  # another download was renamed in first
            if not (target / ".complete").is_file():
                raise
            shutil.rmtree(staging)
        return target

    def upload(self, local: Path, name: str) -> None:
        """Put a local model folder under the registry (used for the embedded model on S3)."""
        self.fs.put(str(local) + "/", f"{self.base}/{name}", recursive=True)


class RegistryAccessError(RuntimeError):
    """The registry itself cannot be read (credentials, endpoint); the message says which."""


class ModelFolderError(ValueError):
    """A registry folder that is not a loadable model; the message says why."""


class UnsupportedFamily(ModelFolderError):
    """A complete model folder whose model_type no family serves: listed, never trained."""
