"""The DVC remote on S3: set it up, check it, and push or pull datasets and adapters through it.

    python -m fragmentforge.dvc_remote setup --url s3://bucket/prefix [--endpoint URL] [--create-bucket]
    python -m fragmentforge.dvc_remote check | push | pull [more dvc arguments]

The URL and endpoint go to .dvc/config.local (never committed). Credentials come from the
environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or a profile) or from DVC's local
config (`dvc remote modify --local <name> access_key_id ...`). Before a push or pull the
bucket is reached with the same settings, so a refused credential or an unreachable endpoint
ends in one plain sentence; no secret is printed, and DVC's own output is scrubbed of them.
"""
from __future__ import annotations

import argparse
import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

from fragmentforge.s3_access import explain, scrub

DEFAULT_NAME = "storage"


class RemoteError(RuntimeError):
    """A remote that cannot be used; the message says why and never holds a secret."""


def dvc_program(root: Path) -> str:
    """DVC lives in its own environment (.venv-dvc beside the project's .venv)."""
    for candidate in (os.environ.get("FRAGMENTFORGE_DVC"), root / ".venv-dvc" / "bin" / "dvc",
                      Path(sys.prefix).parent / ".venv-dvc" / "bin" / "dvc", shutil.which("dvc")):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    raise RemoteError("dvc not found: run `make setup` (it builds .venv-dvc)")


def remote_settings(root: Path, name: str | None = None) -> dict:
    config = configparser.ConfigParser()
    config.read([root / ".dvc" / "config", root / ".dvc" / "config.local"])
    sections = {s.strip("'"): s for s in config.sections()}
    name = name or (config.get(sections["core"], "remote", fallback=None) if "core" in sections else None)
    if not name:
        raise RemoteError("no default DVC remote: run `python -m fragmentforge.dvc_remote setup --url s3://bucket/prefix`")
    section = sections.get(f'remote "{name}"')
    if section is None:
        raise RemoteError(f"DVC remote {name!r} is not configured")
    return {"name": name, **dict(config[section])}


def secrets(settings: dict) -> list[str]:
    return [s for s in (settings.get("secret_access_key"), settings.get("session_token")) if s]


def open_bucket(settings: dict):
    import s3fs

    endpoint = settings.get("endpointurl") or os.environ.get("AWS_ENDPOINT_URL")
    fs = s3fs.S3FileSystem(key=settings.get("access_key_id"), secret=settings.get("secret_access_key"),
                           client_kwargs={"endpoint_url": endpoint} if endpoint else {},
                           config_kwargs={"connect_timeout": 5, "read_timeout": 30, "retries": {"max_attempts": 2}})
    return fs, settings["url"][len("s3://"):].split("/")[0], endpoint


def check(settings: dict, create_bucket: bool = False) -> None:
    url = settings.get("url", "")
    if not url.startswith("s3://"):
        raise RemoteError(f"DVC remote {settings['name']!r} is {url!r}, not an s3:// URL")
    fs, bucket, endpoint = open_bucket(settings)
    try:
        if create_bucket and not fs.exists(bucket):
            fs.mkdir(bucket)
        fs.ls(bucket, refresh=True)
    except Exception as exc:  # botocore, aiohttp and s3fs each raise their own kinds
        raise RemoteError(scrub(explain(exc, f"the S3 remote {url}", endpoint), secrets(settings))) from None


def dvc(root: Path, *args: str, hidden: list[str] = ()) -> int:
    done = subprocess.run([dvc_program(root), *args], cwd=root, capture_output=True, text=True)
    sys.stdout.write(scrub(done.stdout, list(hidden)))
    sys.stderr.write(scrub(done.stderr, list(hidden)))
    return done.returncode


def run(root: Path, argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m fragmentforge.dvc_remote", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    setup = sub.add_parser("setup", help="point DVC's default remote at an s3:// URL (in .dvc/config.local)")
    setup.add_argument("--url", required=True)
    setup.add_argument("--endpoint", help="S3 API endpoint, for servers other than AWS")
    setup.add_argument("--name", default=DEFAULT_NAME)
    setup.add_argument("--create-bucket", action="store_true")
    for command in ("check", "push", "pull"):
        sub.add_parser(command, help=f"{command} through the default remote").add_argument("--remote")
    args, extra = parser.parse_known_args(argv)
    root = Path(root)
    try:
        if args.command == "setup":
            if not args.url.startswith("s3://"):
                raise RemoteError(f"{args.url!r} is not an s3:// URL")
            if dvc(root, "remote", "add", "--local", "--default", "--force", args.name, args.url):
                return 1
            if args.endpoint and dvc(root, "remote", "modify", "--local", args.name, "endpointurl", args.endpoint):
                return 1
            check(remote_settings(root, args.name), create_bucket=args.create_bucket)
            print(f"DVC remote {args.name!r}: {args.url}" + (f" at {args.endpoint}" if args.endpoint else ""))
            return 0
        settings = remote_settings(root, args.remote)
        check(settings)
        if args.command == "check":
            print(f"DVC remote {settings['name']!r} ({settings['url']}) is reachable with these credentials")
            return 0
        code = dvc(root, args.command, "--remote", settings["name"], *extra, hidden=secrets(settings))
        if code:
            print(f"dvc {args.command} failed (exit {code})", file=sys.stderr)
        return code
    except RemoteError as exc:
        print(f"DVC remote: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(run(Path.cwd(), sys.argv[1:]))
