"""Dependencies point one way: the runner and the command line → the cases → the shared modules.

Read from the source: every import statement of every module of ``mlsd``, function bodies too, and
every name a package imports on first use (its ``_HOMES``, :mod:`mlsd.lazy`).
"""

import ast
import importlib
from pathlib import Path

import mlsd

PACKAGE = Path(mlsd.__file__).parent
MAY_IMPORT_CASES = ("cases", "cli.py", "runs")


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, as an absolute name (relative imports resolved), and each
    name it imports from it; with the names of its ``_HOMES``, imported on first use."""
    module = ("mlsd", *path.relative_to(PACKAGE).with_suffix("").parts)
    package = module[:-1]  # an __init__'s "module" part is the word __init__
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            name = ".".join((*base, *([node.module] if node.module else [])))
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["_HOMES"]:
            for name, home in lazy_homes(node.value):
                where, _, attribute = home.partition(":")
                if where.startswith("."):
                    where = ".".join(package) + where
                found.update({where, f"{where}.{attribute or name}"})
    return found


def lazy_homes(homes: ast.expr) -> list[tuple[str, str]]:
    """``(name, home)`` of every entry of a ``_HOMES`` dict: ``"name": "home"`` pairs and
    ``**dict.fromkeys((names...), "home")`` groups."""
    assert isinstance(homes, ast.Dict), ast.unparse(homes)
    pairs = []
    for key, value in zip(homes.keys, homes.values):
        if key is None:
            names, home = value.args
            pairs += [(ast.literal_eval(name), ast.literal_eval(home)) for name in names.elts]
        else:
            pairs.append((ast.literal_eval(key), ast.literal_eval(value)))
    return pairs


def modules(folder: str = "") -> dict[str, set[str]]:
    """``{path relative to mlsd/: imported modules}`` for every module under ``mlsd/<folder>``."""
    paths = sorted((PACKAGE / folder).rglob("*.py"))
    return {str(path.relative_to(PACKAGE)): imports(path) for path in paths}


def importing(prefix: str, folder: str = "", skip: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """The modules (outside ``skip``) that import something starting with ``prefix``, and what."""
    found = {
        path: sorted(name for name in imported if name.startswith(prefix))
        for path, imported in modules(folder).items()
        if not path.startswith(skip)
    }
    return {path: names for path, names in found.items() if names}


def test_the_explorers_never_import_a_case():
    assert importing("mlsd.cases", "explore") == {}


def test_only_the_runner_and_the_command_line_import_the_cases():
    assert importing("mlsd.cases", skip=MAY_IMPORT_CASES) == {}


def test_a_case_never_imports_another_case():
    for path, imported in modules("cases").items():
        parts = Path(path).parts
        if len(parts) < 3:  # the registry, the contract and the gallery sit above the cases
            continue
        own = (parts[1], "contract")
        cases = [name for name in imported if name.startswith("mlsd.cases.")]
        others = sorted(name for name in cases if name.split(".")[2] not in own)
        assert not others, f"mlsd/{path} imports another case: {others}"


def test_nothing_outside_the_metrics_imports_their_private_modules():
    assert importing("mlsd.metrics._", skip=("metrics",)) == {}


def test_the_import_reader_sees_every_import_so_the_checks_above_are_not_vacuous():
    facade = imports(PACKAGE / "cases" / "video_recs" / "__init__.py")
    assert {"mlsd.cases.contract.CaseInfo", "mlsd.explore.RankingExplorer",
            "mlsd.cases.video_recs.models.PopularSource",
            "mlsd.cases.video_recs.exercise.build"} <= facade
    homes = importlib.import_module("mlsd.cases.video_recs")._HOMES
    seen = {entry.rsplit(".", 1)[-1] for entry in facade}
    assert {home.partition(":")[2] or name for name, home in homes.items()} <= seen
    assert "mlsd.explore" in importing("mlsd.explore", "cases")["cases/gallery.py"]
