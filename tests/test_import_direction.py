"""The dependency direction of DESIGN.md, read from every module's imports (ast, not a run):
the assembly (__main__.py, assembly/) -> components -> handlers.shared, with stack_config a
leaf everything may import; handlers never import Pulumi; the policy pack never imports the
components it judges."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Not ours, or not Python we wrote: virtualenvs, tools, node packages, build output, caches.
SKIPPED = {".venv", ".tools", "node_modules", "build", "storefront", ".git", ".mypy_cache"}
OURS = (
    "__main__",
    "assembly",
    "bench",
    "catalog_import",
    "ci",
    "components",
    "handlers",
    "local",
    "offline",
    "policy",
    "stack_config",
    "tests",
)
PULUMI = ("pulumi", "pulumi_aws", "pulumi_awsx", "pulumi_random", "pulumi_docker_build")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted (handlers.cart.wiring)
    imported: str  # what it imports, dotted (handlers.shared.env)
    where: str  # path:line

    def __str__(self) -> str:
        return f"{self.where}: {self.module} imports {self.imported}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> Iterator[Import]:
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, where)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # `from handlers.shared import env` imports handlers.shared.env (or a name in it).
                yield Import(module, f"{base}.{alias.name}" if base else alias.name, where)


def all_imports() -> list[Import]:
    files = [ROOT / "__main__.py"] + [
        path
        for package in OURS
        if (ROOT / package).is_dir()
        for path in (ROOT / package).rglob("*.py")
        if not SKIPPED & set(path.relative_to(ROOT).parts)
    ]
    return [i for path in sorted(files) for i in imports_of(path)]


IMPORTS = all_imports()


def top(name: str) -> str:
    return name.split(".")[0]


def under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def violations(importer: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        str(i)
        for i in IMPORTS
        if under(i.module, importer) and any(under(i.imported, f) for f in forbidden)
    ]


def test_every_module_of_ours_is_read() -> None:
    readers = {top(i.module) for i in IMPORTS}
    assert {"__main__", "assembly", "components", "handlers", "policy", "stack_config"} <= readers


def test_stack_config_is_a_leaf_without_pulumi() -> None:
    others = tuple(p for p in OURS if p != "stack_config")
    assert violations("stack_config", others + PULUMI) == []


def test_handlers_import_no_pulumi_and_nothing_above_them() -> None:
    others = tuple(p for p in OURS if p != "handlers")
    assert violations("handlers", others + PULUMI) == []


@pytest.mark.parametrize(
    "service", sorted(p.name for p in (ROOT / "handlers").iterdir() if (p / "__init__.py").exists())
)
def test_a_service_imports_only_itself_and_the_shared_facts(service: str) -> None:
    own = f"handlers.{service}"
    allowed = (own, "handlers.shared") if service != "shared" else ("handlers.shared",)
    wrong = [
        str(i)
        for i in IMPORTS
        if under(i.module, own)
        and under(i.imported, "handlers")
        and i.imported != "handlers"
        and not any(under(i.imported, a) for a in allowed)
    ]
    assert wrong == []


def test_components_import_no_assembly_and_only_the_shared_facts_of_handlers() -> None:
    above = (
        "__main__",
        "assembly",
        "bench",
        "catalog_import",
        "ci",
        "local",
        "offline",
        "policy",
        "tests",
    )
    assert violations("components", above) == []
    services = [
        str(i)
        for i in IMPORTS
        if under(i.module, "components")
        and under(i.imported, "handlers")
        and not under(i.imported, "handlers.shared")
    ]
    assert services == []


def test_only_the_program_imports_the_assembly() -> None:
    wrong = [
        str(i)
        for i in IMPORTS
        if under(i.imported, "assembly")
        and not (i.module == "__main__" or under(i.module, "assembly"))
    ]
    assert wrong == []


def test_the_policy_pack_imports_no_components() -> None:
    forbidden = ("__main__", "assembly", "components", "handlers", "local", "offline", "ci")
    assert violations("policy", forbidden) == []


def test_nothing_imports_the_program() -> None:
    assert [str(i) for i in IMPORTS if i.imported == "__main__"] == []
