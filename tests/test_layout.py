"""The layout holds: `etl/lib` is Dagster-free, one package per stage, and a stage uses another only through
that stage's package (what its `__init__` exports), so each stage's modules can change without breaking the
others. The rules read the imports of every module, with the AST, so a violation anywhere fails here."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LIB = REPO / "etl" / "lib"
STAGES = ("discover", "fetch", "extract", "normalize", "quality", "warehouse")
# what etl/lib may never import: the orchestration layer and the demo stay outside the pipeline code
FORBIDDEN_IN_LIB = ("dagster", "dagster_dbt", "dagster_duckdb", "etl.defs", "etl.cli", "etl.runner", "demo")


def imported_modules(source: str, package: str) -> list[str]:
    """Every module a source imports, relative imports resolved against `package`."""
    modules = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base]) if base else ".".join(parent)
            modules.append(base)
    return modules


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] == ["etl", "lib"] and len(parts) > 2 and parts[2] in STAGES:
        return parts[2]
    return None


def violations(module: str, imports: list[str]) -> list[str]:
    """The imports of `module` that break the layout, each as "module -> import: why"."""
    found = []
    own_stage = stage_of(module)
    in_lib = module.startswith("etl.lib")
    for imported in imports:
        if in_lib and any(imported == bad or imported.startswith(bad + ".") for bad in FORBIDDEN_IN_LIB):
            found.append(f"{module} -> {imported}: etl/lib stays free of Dagster, the CLI and the demo")
        other = stage_of(imported)
        if other is None or other == own_stage:
            continue
        if len(imported.split(".")) > 3:
            found.append(f"{module} -> {imported}: use the stage's package, etl.lib.{other}")
        elif in_lib and own_stage is None:
            found.append(f"{module} -> {imported}: a shared module cannot depend on a stage")
    return found


def python_modules(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*.py") if "__pycache__" not in path.parts)


def stage_dependencies() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {stage: set() for stage in STAGES}
    for path in python_modules(LIB):
        module = module_name(path)
        own = stage_of(module)
        for imported in imported_modules(path.read_text(encoding="utf-8"), module):
            other = stage_of(imported)
            if own and other and other != own:
                graph[own].add(other)
    return graph


def test_every_stage_is_a_package_that_says_what_goes_in_and_out() -> None:
    for stage in STAGES:
        init = LIB / stage / "__init__.py"
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert docstring and " in, " in docstring.lower() and "out," in docstring.lower(), stage


@pytest.mark.parametrize("root", ["etl", "demo", "bench"])
def test_no_module_reaches_into_another_stage_or_imports_dagster_in_lib(root: str) -> None:
    found = []
    for path in python_modules(REPO / root):
        module = module_name(path)
        found += violations(module, imported_modules(path.read_text(encoding="utf-8"), module))
    if root == "bench":
        # benchmarks time one stage's internals on purpose; they may not import Dagster into etl/lib, that's all
        found = [line for line in found if "use the stage's package" not in line]
    assert found == []


def test_stages_depend_on_each_other_without_a_cycle() -> None:
    graph = stage_dependencies()
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as error:  # pragma: no cover - the assertion below names it
        pytest.fail(f"stages import each other in a cycle: {error.args[1]}")
    # the page's path through the stages: a later stage may use an earlier one, never the other way round
    # (the warehouse is the store every stage writes to, so it comes first)
    assert order.index("warehouse") < order.index("fetch") < order.index("extract") < order.index("normalize")
    assert order.index("normalize") < order.index("quality")


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        (
            "etl.lib.extract.article",
            "from etl.lib.fetch.pagecheck import classify_html",
            "use the stage's package",
        ),
        ("etl.lib.normalize.batch", "import dagster as dg", "free of Dagster"),
        ("etl.lib.text", "from etl.lib.extract import extract_article", "shared module cannot depend"),
        (
            "etl.defs.ingest.load",
            "from etl.lib.warehouse.load import load_articles",
            "use the stage's package",
        ),
    ],
)
def test_the_rules_catch_each_kind_of_violation(module: str, source: str, expected: str) -> None:
    # the checks above pass on a clean tree; these show they would not pass on a broken one
    package = module if module.endswith("__init__") else module.rsplit(".", 1)[0]
    (found,) = violations(module, imported_modules(source, package))
    assert expected in found


@pytest.mark.parametrize("module", ["etl.lib.extract.article", "etl.lib.fetch.fetcher"])
def test_allowed_imports_pass(module: str) -> None:
    source = "from etl.lib.warehouse import RawArchive\nfrom etl.lib.records import ExtractedArticle\n"
    assert violations(module, imported_modules(source, module.rsplit(".", 1)[0])) == []
