"""Import contracts between Sightline's layers, checked on the source tree's AST (no import-linter).

The checkers take the folder that holds the `sightline` package, so the tests below prove each rule
on a small synthetic tree with a deliberate violation; `tests/test_conventions.py` runs them on
`src/`. What they enforce (docs/architecture.md, "Layers"):

- the edges (`sightline.web`, `sightline.api`) never import a models module or the ORM at run time
  and never reach a manager (`.objects`): every read goes through a selector or the access layer.
  Imports under `if TYPE_CHECKING:` are allowed, because annotations never run;
- no cycle between apps (`sightline.<app>`), counting module- and function-level imports;
- the pure cores import no Django, directly or through another Sightline module they import.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

PACKAGE = "sightline"
EDGES = ("sightline.web", "sightline.api")
PURE_CORES = (
    "sightline.instruments",
    "sightline.stats",
    "sightline.scheduling.rules",
    "sightline.scheduling.compute",
    # The FHIR mapping (not its Django side, `sightline.fhir.service`).
    "sightline.fhir.codes",
    "sightline.fhir.questionnaire",
    "sightline.fhir.response",
    "sightline.fhir.bundle",
)
# A manager attribute is a query; `get_model`/`get_user_model` hand out a model class without
# importing its module, so they would walk around the import rule.
QUERY_ATTRIBUTES = frozenset({"objects", "_default_manager", "_base_manager"})
MODEL_LOOKUPS = frozenset({"get_model", "get_user_model"})


@dataclass(frozen=True)
class Import:
    """One imported name: `from a.b import c` is the target `a.b.c` (a module or a name in one)."""

    module: str  # the importing module
    path: Path
    line: int
    target: str
    typing_only: bool  # under `if TYPE_CHECKING:`, so it never runs

    def where(self, root: Path) -> str:
        return f"{self.path.relative_to(root)}:{self.line}"


def within(name: str, prefix: str) -> bool:
    """`name` is `prefix` or inside it, by dotted components (`a.bc` is not within `a.b`)."""
    return name == prefix or name.startswith(prefix + ".")


def modules(root: Path) -> dict[str, Path]:
    """Every module of the package under `root`, by dotted name."""
    found = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _ImportVisitor(ast.NodeVisitor):
    def __init__(self, module: str, path: Path, is_package: bool) -> None:
        self.module, self.path = module, path
        self.package = module if is_package else module.rpartition(".")[0]
        self.typing_only = False
        self.found: list[Import] = []
        self.attributes: list[tuple[int, str]] = []

    def _add(self, node: ast.AST, target: str) -> None:
        self.found.append(
            Import(self.module, self.path, node.lineno, target, self.typing_only)  # type: ignore[attr-defined]
        )

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        outer, self.typing_only = self.typing_only, True
        for child in node.body:
            self.visit(child)
        self.typing_only = outer
        for child in node.orelse:
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            anchor = self.package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            self._add(node, base if alias.name == "*" else f"{base}.{alias.name}")

    def visit_Call(self, node: ast.Call) -> None:
        # importlib.import_module("sightline.youth.models") is an import too.
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if (
            name in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            self._add(node, node.args[0].value)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in QUERY_ATTRIBUTES | MODEL_LOOKUPS:
            self.attributes.append((node.lineno, node.attr))
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in MODEL_LOOKUPS:
            self.attributes.append((node.lineno, node.id))


def _visit(module: str, path: Path) -> _ImportVisitor:
    visitor = _ImportVisitor(module, path, path.name == "__init__.py")
    visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return visitor


def imports(root: Path) -> list[Import]:
    """Every import in the package under `root`, at module level, in functions, or typing-only."""
    return [found for module, path in modules(root).items() for found in _visit(module, path).found]


def resolve(target: str, known: Iterable[str]) -> str | None:
    """The module of the tree that `target` names or lives in (the longest known prefix)."""
    best = None
    for module in known:
        if within(target, module) and (best is None or len(module) > len(best)):
            best = module
    return best


def app_of(module: str) -> str | None:
    """`sightline.youth.services` belongs to the app `youth`; the package root to none."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == PACKAGE else None


# -- rule 1: the edges never reach models or the ORM ---------------------------------------------


def _forbidden_at_the_edge(target: str) -> bool:
    parts = target.split(".")
    if within(target, "django.db") or within(target, "django.contrib.auth.get_user_model"):
        return True
    # sightline.<app>.models[...] and django.contrib.<app>.models[...]
    if parts[0] == PACKAGE and len(parts) > 2 and parts[2] == "models":
        return True
    return within(target, "django.contrib") and len(parts) > 3 and parts[3] == "models"


def edge_violations(root: Path, edges: Iterable[str] = EDGES) -> list[str]:
    """Run-time imports of models or the ORM, and manager access, in the web and API packages."""
    edges = tuple(edges)
    problems = []
    for module, path in modules(root).items():
        if not any(within(module, edge) for edge in edges):
            continue
        visitor = _visit(module, path)
        where = path.relative_to(root)
        problems += [
            f"{found.where(root)} imports {found.target} at run time"
            for found in visitor.found
            if not found.typing_only and _forbidden_at_the_edge(found.target)
        ]
        problems += [
            f"{where}:{line} uses .{name}: go through a selector or the access layer"
            if name in QUERY_ATTRIBUTES
            else f"{where}:{line} uses {name}(): a model class is not the edge's business"
            for line, name in visitor.attributes
        ]
    return problems


# -- rule 2: no cycles between apps ----------------------------------------------------------------


def app_graph(root: Path) -> dict[tuple[str, str], list[Import]]:
    """Edges between apps from run-time imports (module or function level), with their evidence."""
    known = modules(root)
    graph: dict[tuple[str, str], list[Import]] = {}
    for found in imports(root):
        if found.typing_only:
            continue
        target = resolve(found.target, known) if within(found.target, PACKAGE) else None
        source_app, target_app = app_of(found.module), app_of(target or "")
        if source_app and target_app and source_app != target_app:
            graph.setdefault((source_app, target_app), []).append(found)
    return graph


def app_cycles(root: Path, *, limit: int = 50) -> list[list[str]]:
    """Every elementary cycle of the app graph, each starting at its alphabetically first app."""
    successors: dict[str, set[str]] = {}
    for source, target in app_graph(root):
        successors.setdefault(source, set()).add(target)
    cycles: list[list[str]] = []

    def walk(start: str, path: list[str]) -> None:
        for nxt in sorted(successors.get(path[-1], ())):
            if len(cycles) >= limit:
                return
            if nxt == start:
                cycles.append([*path, start])
            elif nxt > start and nxt not in path:
                walk(start, [*path, nxt])

    for start in sorted(successors):
        walk(start, [start])
    return cycles


def describe_cycles(root: Path, cycles: list[list[str]]) -> str:
    """Each cycle with the import lines that make each of its edges."""
    graph = app_graph(root)
    lines = []
    for cycle in cycles:
        lines.append(" -> ".join(cycle))
        for source, target in pairwise(cycle):
            evidence = ", ".join(
                f"{found.where(root)} ({found.target})" for found in graph[(source, target)]
            )
            lines.append(f"    {source} -> {target}: {evidence}")
    return "\n".join(lines)


# -- rule 3: the pure cores import no Django -----------------------------------------------------


def pure_core_violations(root: Path, cores: Iterable[str] = PURE_CORES) -> list[str]:
    """Django imported by a pure core itself (even typing-only) or by a module it imports at run time.

    Importing `a.b.c` runs `a/__init__.py` and `a/b/__init__.py` too, so those count as imported.
    """
    cores = tuple(cores)
    known = modules(root)
    by_module: dict[str, list[Import]] = {}
    for found in imports(root):
        by_module.setdefault(found.module, []).append(found)

    def with_parents(module: str) -> list[str]:
        parts = module.split(".")
        return [
            ".".join(parts[:n]) for n in range(1, len(parts) + 1) if ".".join(parts[:n]) in known
        ]

    problems = []
    for core_module in sorted(m for m in known if any(within(m, core) for core in cores)):
        chains = {
            m: [core_module] if m == core_module else [core_module, m]
            for m in with_parents(core_module)
        }
        queue = list(chains)
        while queue:
            module = queue.pop(0)
            for found in by_module.get(module, []):
                if within(found.target, "django") and (
                    module == core_module or not found.typing_only
                ):
                    via = " -> ".join(chains[module])
                    problems.append(
                        f"{found.where(root)} imports {found.target} (reached by {via})"
                    )
                if found.typing_only or not within(found.target, PACKAGE):
                    continue
                target = resolve(found.target, known)
                for reached in with_parents(target) if target else []:
                    if reached not in chains:
                        chains[reached] = [*chains[module], reached]
                        queue.append(reached)
    return sorted(set(problems))


# -- each rule fails on a deliberate violation ---------------------------------------------------


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    """A small source tree: `{"sightline/web/views.py": "source"}`; package __init__s are added."""
    for name, source in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for folder in path.relative_to(tmp_path).parents:
            if folder != Path("."):
                (tmp_path / folder / "__init__.py").touch()
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return tmp_path


def _only(problems: list[str]) -> str:
    assert len(problems) == 1, problems
    return problems[0]


MODELS = """
from django.db import models

class Youth(models.Model):
    pass
"""


def test_a_view_importing_a_models_module_is_reported(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "sightline/youth/models.py": MODELS,
            "sightline/web/views.py": "from sightline.youth.models import Youth\n",
        },
    )

    assert _only(edge_violations(root)) == (
        "sightline/web/views.py:1 imports sightline.youth.models.Youth at run time"
    )


def test_every_spelling_of_a_models_or_orm_import_at_the_edge_is_reported(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "sightline/youth/models.py": MODELS,
            "sightline/api/handlers.py": """
                import sightline.youth.models
                from sightline.youth import models
                from ..youth import models as relative
                from django.db import transaction
                from django import db
                from django.db.models import Q
                from django.contrib.auth.models import Group
                from django.contrib.auth import get_user_model
                import importlib

                def handler():
                    from sightline.youth.models import Youth
                    return importlib.import_module("sightline.youth.models")
            """,
        },
    )

    reported = {problem.split(" imports ")[1] for problem in edge_violations(root)}

    assert reported >= {
        "sightline.youth.models at run time",
        "django.db.transaction at run time",
        "django.db at run time",
        "django.db.models.Q at run time",
        "django.contrib.auth.models.Group at run time",
        "django.contrib.auth.get_user_model at run time",
        "sightline.youth.models.Youth at run time",
    }
    assert sum("sightline.youth.models at run time" in p for p in edge_violations(root)) == 4


def test_a_typing_only_model_import_at_the_edge_is_allowed_and_its_else_branch_is_not(
    tmp_path: Path,
) -> None:
    root = tree(
        tmp_path,
        {
            "sightline/youth/models.py": MODELS,
            "sightline/youth/choices.py": "class GenderIdentity: pass\n",
            "sightline/web/forms.py": """
                from typing import TYPE_CHECKING
                import typing
                from sightline.youth.choices import GenderIdentity

                if TYPE_CHECKING:
                    from sightline.youth.models import Youth
                if typing.TYPE_CHECKING:
                    from django.db.models import QuerySet
                else:
                    from sightline.youth.models import Youth
            """,
        },
    )

    assert _only(edge_violations(root)) == (
        "sightline/web/forms.py:11 imports sightline.youth.models.Youth at run time"
    )


def test_a_manager_or_model_lookup_at_the_edge_is_reported(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "sightline/web/views.py": """
                def youth_list(request, selectors):
                    return selectors.Youth.objects.all()

                def other(apps):
                    return apps.get_model("youth", "Youth")
            """,
            "sightline/youth/selectors.py": "def youth_list(Youth):\n    return Youth.objects.all()\n",
        },
    )

    assert edge_violations(root) == [
        "sightline/web/views.py:3 uses .objects: go through a selector or the access layer",
        "sightline/web/views.py:6 uses get_model(): a model class is not the edge's business",
    ]


def test_models_imported_outside_the_edges_are_not_the_edges_business(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "sightline/youth/models.py": MODELS,
            "sightline/youth/selectors.py": "from sightline.youth.models import Youth\n",
            "sightline/website/views.py": "from sightline.youth.models import Youth\n",
        },
    )

    assert edge_violations(root) == []


def test_a_cycle_between_apps_is_reported_with_the_imports_that_make_it(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "sightline/youth/models.py": MODELS,
            "sightline/youth/services.py": """
                def intake_open():
                    from sightline.scheduling import services
                    services.refresh()
            """,
            "sightline/scheduling/services.py": "from sightline.youth.models import Youth\n",
            "sightline/tenancy/models.py": "from sightline.youth import models\n",
        },
    )

    cycles = app_cycles(root)

    assert cycles == [["scheduling", "youth", "scheduling"]]
    assert describe_cycles(root, cycles) == (
        "scheduling -> youth -> scheduling\n"
        "    scheduling -> youth: sightline/scheduling/services.py:1 (sightline.youth.models.Youth)\n"
        "    youth -> scheduling: sightline/youth/services.py:3 (sightline.scheduling.services)"
    )


def test_a_longer_cycle_is_reported_once_and_typing_only_imports_make_none(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "sightline/audit/services.py": "from sightline.tenancy import models\n",
            "sightline/tenancy/models.py": "import sightline.youth.models\n",
            "sightline/youth/models.py": "from sightline.audit.services import record\n",
            "sightline/web/views.py": """
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    from sightline.youth.models import Youth
                from sightline.audit import services
            """,
            "sightline/youth/typing_only.py": """
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    from sightline.web.views import Anything
            """,
        },
    )

    assert app_cycles(root) == [["audit", "tenancy", "youth", "audit"]]


def test_an_acyclic_tree_reports_no_cycle(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "sightline/youth/models.py": "from sightline.tenancy.models import Agency\n",
            "sightline/tenancy/models.py": "import datetime\n",
            "sightline/scheduling/services.py": "from sightline.youth.models import Youth\n",
        },
    )

    assert app_cycles(root) == []
    assert set(app_graph(root)) == {("youth", "tenancy"), ("scheduling", "youth")}


def test_a_pure_core_importing_django_is_reported(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "sightline/instruments/scoring.py": "import math\nfrom django.conf import settings\n",
            "sightline/scheduling/rules.py": """
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    from django.utils import timezone
            """,
            "sightline/scheduling/models.py": "from django.db import models\n",
        },
    )

    assert pure_core_violations(root) == [
        "sightline/instruments/scoring.py:2 imports django.conf.settings "
        "(reached by sightline.instruments.scoring)",
        "sightline/scheduling/rules.py:4 imports django.utils.timezone "
        "(reached by sightline.scheduling.rules)",
    ]


def test_a_pure_core_reaching_django_through_another_module_is_reported(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "sightline/scheduling/__init__.py": "",
            "sightline/scheduling/compute.py": "from sightline.scheduling import rules\n",
            "sightline/scheduling/rules.py": "def today():\n    from sightline.tenancy.models import X\n",
            "sightline/tenancy/__init__.py": "",
            "sightline/tenancy/models.py": "from django.db import models\n",
            "sightline/stats/__init__.py": "from django.db import models\n",
            "sightline/stats/kappa.py": "import numpy\n",
        },
    )

    assert pure_core_violations(root) == [
        "sightline/stats/__init__.py:1 imports django.db.models (reached by sightline.stats)",
        "sightline/stats/__init__.py:1 imports django.db.models "
        "(reached by sightline.stats.kappa -> sightline.stats)",
        "sightline/tenancy/models.py:1 imports django.db.models "
        "(reached by sightline.scheduling.compute -> sightline.scheduling.rules "
        "-> sightline.tenancy.models)",
        "sightline/tenancy/models.py:1 imports django.db.models "
        "(reached by sightline.scheduling.rules -> sightline.tenancy.models)",
    ]


def test_pure_cores_that_import_only_pure_modules_pass(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "sightline/instruments/scoring.py": "import numpy\nfrom sightline.instruments import codes\n",
            "sightline/instruments/codes.py": "MISSING = -1\n",
            "sightline/scheduling/rules.py": "import calendar\n",
            "sightline/scheduling/models.py": "from django.db import models\nfrom sightline.scheduling import rules\n",
        },
    )

    assert pure_core_violations(root) == []


def test_relative_imports_resolve_against_the_package(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "sightline/web/__init__.py": "from . import views\n",
            "sightline/web/views.py": "from .forms import F\nfrom ..youth.models import Youth\n",
            "sightline/web/forms.py": "F = 1\n",
            "sightline/youth/models.py": MODELS,
        },
    )

    assert {
        (i.module, i.target) for i in imports(root) if i.module.startswith("sightline.web")
    } == {
        ("sightline.web", "sightline.web.views"),
        ("sightline.web.views", "sightline.web.forms.F"),
        ("sightline.web.views", "sightline.youth.models.Youth"),
    }


def iter_edge_modules(root: Path) -> Iterator[str]:
    """The web and API modules the edge rule looks at (the real-tree test checks there are some)."""
    return (m for m in modules(root) if any(within(m, edge) for edge in EDGES))
