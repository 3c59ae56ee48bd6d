"""The command line every DAG node and tool shares: --params and --root, then its own options."""
from __future__ import annotations

import argparse
from pathlib import Path

from fragmentforge.config import ConfigError, Params, load_params


def parse_stage_args(description: str, argv=None) -> tuple[Params, Path]:
    """Every stage CLI takes the params file and the project root."""
    params, root, _ = parse_args(description, argv)
    return params, root


def parse_base_stage_args(description: str, argv=None, variants: bool = False):
    """A per-base-model stage CLI: also --base (repeatable; default every models.base_models)
    and, when asked, --variant (default all, in params order).
    Returns (params, root, bases, variants or None)."""
    def more(parser):
        parser.add_argument("--base", action="append", help="base model name (default: every models.base_models)")
        if variants:
            parser.add_argument("--variant", action="append", help="variant name (default: all, in params order)")

    params, root, args = parse_args(description, argv, more)
    chosen = [v.name for v in params.training.variants if not args.variant or v.name in args.variant] \
        if variants else None
    return params, root, list(args.base or params.models.base_models), chosen


def parse_args(description: str, argv=None, add_more=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--params", default="params.yaml", help="params file (default: params.yaml)")
    parser.add_argument("--root", default=".", help="project root that paths in params are relative to")
    if add_more:
        add_more(parser)
    args = parser.parse_args(argv)
    try:
        return load_params(args.params), Path(args.root), args
    except ConfigError as exc:
        raise SystemExit(f"bad params: {exc}") from None
