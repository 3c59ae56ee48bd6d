"""Which project files a module runs: its import closure, read from the source (nothing imported).

One answer for three users: the code deps of every DVC stage (`python -m fragmentforge.lineage
--write` rewrites them in dvc.yaml; a test fails when they drift), the Dagster code versions
(which read those deps) and the code part of an evaluation run's identity.

- Imports under `if TYPE_CHECKING:` are left out: they never run.
- Importing a plugin package (fragmentforge.plugins.PACKAGES) brings in every module in it,
  since plugins are found by scanning, not by import statements.
- A module that reads files other than Python declares them, project-relative, in a
  module-level `DATA_DEPS = (...)`; one that starts another module in a child process
  (`python -m ...`) names it in `CHILD_MODULES = (...)`.
"""
from __future__ import annotations

import argparse
import ast
import hashlib
from functools import lru_cache
from pathlib import Path

import yaml

# Where project modules live, relative to the project root: the thin DAG-node entry points
# (stages.<node>), the code location, and the library (stages/fragmentforge).
SEARCH_DIRS = ("", "stages")
CODE_PREFIXES = ("stages/", "dagster_project/", "sql/")


def is_code(dep) -> bool:
    """A dvc.yaml dep that is project code or SQL (the rest are data: ${paths...})."""
    return isinstance(dep, str) and (dep.startswith(CODE_PREFIXES) or f"{dep.rstrip('/')}/" in CODE_PREFIXES)


def module_file(root: Path, name: str) -> Path | None:
    """The file of a project module or package, or None for a third-party one."""
    parts = name.split(".")
    for base in SEARCH_DIRS:
        folder = root / base if base else root
        candidate = folder.joinpath(*parts)
        if (candidate / "__init__.py").is_file():
            return candidate / "__init__.py"
        if candidate.with_suffix(".py").is_file():
            return candidate.with_suffix(".py")
    return None


def _module_name(root: Path, path: Path) -> str:
    rel = path.relative_to(root)
    if rel.parts[0] == "stages" and len(rel.parts) > 1 and rel.parts[1] == "fragmentforge":
        rel = rel.relative_to("stages")
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported_names(tree: ast.AST, package: str) -> tuple[set[str], tuple[str, ...]]:
    """(module names the code may import or start, DATA_DEPS)."""
    names, data = set(), ()
    stack = list(ast.iter_child_nodes(tree))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import submodule`
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "DATA_DEPS"
                                                  for t in node.targets):
            data = tuple(ast.literal_eval(node.value))
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "CHILD_MODULES"
                                                  for t in node.targets):
            names.update(ast.literal_eval(node.value))
        stack.extend(ast.iter_child_nodes(node))
    return names, data


@lru_cache(maxsize=None)
def _plugin_packages() -> tuple[str, ...]:
    from fragmentforge.plugins import PACKAGES

    return tuple(PACKAGES)


def closure(root: Path, module: str) -> list[str]:
    """Project-relative files `module` runs (its parent packages included), sorted; data deps too."""
    root = Path(root)
    seen: dict[Path, None] = {}
    data: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # importing a.b.c runs a and a.b first
            path = module_file(root, ".".join(parts[:i]))
            if path is None or path in seen:
                continue
            seen[path] = None
            own = _module_name(root, path)
            package = own if path.name == "__init__.py" else own.rpartition(".")[0]
            imported, declared = _imported_names(ast.parse(path.read_text(), str(path)), package)
            data.update(declared)
            todo.extend(imported)
            if path.name == "__init__.py" and own in _plugin_packages():  # every plugin, module or package
                todo.extend(f"{own}.{p.stem}" for p in path.parent.iterdir()
                            if p.stem != "__init__" and (p.suffix == ".py" or (p / "__init__.py").is_file()))
    files = {p.relative_to(root).as_posix() for p in seen}
    return sorted(files | data)


def tree_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def files_digest(root: Path, deps) -> str:
    """sha256 over the named files (folders: every file in them), by path and content."""
    digest = hashlib.sha256()
    for dep in sorted(deps):
        for path in tree_files(Path(root) / dep):
            digest.update(f"{path.relative_to(root).as_posix()}\0".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()


def code_digest(root: Path, *modules: str) -> str:
    """Hash of the code the named modules run: what a result computed by them depends on."""
    files = sorted({f for m in modules for f in closure(root, m)})
    return files_digest(root, files)[:16]


def stage_module(cmd: str) -> str:
    """`python -m stages.evaluations --base x` -> `stages.evaluations`."""
    words = cmd.split()
    return words[words.index("-m") + 1]


def stage_specs(dvc: dict):
    for name, spec in dvc["stages"].items():
        yield name, spec.get("do", spec)


def expected_code_deps(root: Path, spec: dict) -> list[str]:
    return closure(root, stage_module(spec["cmd"]))


def drift(root: Path, dvc_file: str = "dvc.yaml") -> dict[str, dict[str, list[str]]]:
    """Per stage: project files it runs but does not list (`missing`), and listed code files it
    does not run (`extra`). Empty when dvc.yaml is right."""
    root = Path(root)
    out = {}
    for name, spec in stage_specs(yaml.safe_load((root / dvc_file).read_text())):
        listed = {d for d in spec.get("deps", []) if is_code(d)}
        wanted = set(expected_code_deps(root, spec))
        missing, extra = sorted(wanted - listed), sorted(listed - wanted)
        if missing or extra:
            out[name] = {"missing": missing, "extra": extra}
    return out


def write_deps(root: Path, dvc_file: str = "dvc.yaml") -> None:
    """Rewrite every stage's code deps in dvc.yaml from the import graph; data deps stay first."""
    path = Path(root) / dvc_file
    text = path.read_text()
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    dvc = yaml.safe_load(text)
    for _, spec in stage_specs(dvc):
        data = [d for d in spec.get("deps", []) if not is_code(d)]
        spec["deps"] = data + expected_code_deps(Path(root), spec)
    body = yaml.safe_dump(dvc, sort_keys=False, default_flow_style=False, width=120)
    path.write_text(header + body)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Check or rewrite dvc.yaml's code deps from the import graph.")
    parser.add_argument("--root", default=".")
    parser.add_argument("--write", action="store_true", help="rewrite the deps instead of checking them")
    args = parser.parse_args(argv)
    if args.write:
        write_deps(Path(args.root))
    problems = drift(Path(args.root))
    for stage, sides in problems.items():
        for side, files in sides.items():
            for f in files:
                print(f"{stage}: {side} {f}")
    if problems:
        raise SystemExit("dvc.yaml's code deps do not match the imports: python -m fragmentforge.lineage --write")
    print("dvc.yaml's code deps match the import graph")


if __name__ == "__main__":
    main()
