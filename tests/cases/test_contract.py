"""The case contract (stated in mlsd.cases): every case of CASES has every part, of the same shape.

A new case is registered in ``mlsd.cases.CASES`` and this file checks it with the others: its
modules and their names, its façade, its notebooks, exercise and data cards, its loaders, and what
``load_data``, ``split``, ``design_doc`` and ``gallery_tabs`` return at the smallest sizes.
"""

import importlib
import inspect
import json
import pkgutil

import ipywidgets as widgets
import pytest

from mlsd.cases import CASES, get_case
from mlsd.cases.contract import (
    REQUIRED_MODULES,
    SIMULATED,
    STAGES,
    CaseData,
    CaseInfo,
    ExplorerTab,
    Split,
)
from mlsd.explore import FunnelStage
from mlsd.runs.catalog import default_root

ROOT = default_root()
IDS = [case.name for case in CASES]


def module(case: CaseInfo, name: str):
    return importlib.import_module(case.package if name == "__init__" else f"{case.package}.{name}")


def smallest(notebook, function) -> dict:
    """The notebook's smallest-run sizes that ``function`` takes as keywords."""
    sizes = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["mlsd"]["smallest"]
    takes = inspect.signature(function).parameters
    return {name: value for name, value in sizes.items() if name in takes}


_LOADED = {}


def loaded(case: CaseInfo) -> CaseData:
    """The case's simulated data at the smallest sizes of its first notebook, loaded once."""
    if case.name not in _LOADED:
        data = module(case, "data")
        sizes = smallest(ROOT / case.notebooks / f"{STAGES[0]}.ipynb", data.load_data)
        _LOADED[case.name] = data.load_data(SIMULATED, seed=0, **sizes)
    return _LOADED[case.name]


def test_cases_are_registered_in_curriculum_order_and_found_by_any_name():
    numbers = [case.number for case in CASES]
    assert numbers == sorted(set(numbers))
    for case in CASES:
        assert get_case(case.name) is get_case(case.folder) is get_case(case.number) is case
    with pytest.raises(ValueError, match=f"case must be one of {', '.join(c.folder for c in CASES)}"):
        get_case("nope")
    with pytest.raises(ValueError, match="got True"):
        get_case(True)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_required_module_exists_with_its_names_and_a_docstring(case):
    for name, names in REQUIRED_MODULES.items():
        found = module(case, name)
        assert (found.__doc__ or "").strip(), f"{found.__name__} has no docstring"
        missing = [required for required in names if not hasattr(found, required)]
        assert not missing, f"{found.__name__} lacks {missing}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_facade_exports_what_it_lists_registers_its_case_and_names_every_module(case):
    facade = module(case, "__init__")
    assert facade.CASE is case and isinstance(case, CaseInfo)
    assert not [name for name in facade.__all__ if not hasattr(facade, name)]
    assert len(set(facade.__all__)) == len(facade.__all__)
    package = [info.name for info in pkgutil.iter_modules(facade.__path__)]
    unnamed = [name for name in package if f":mod:`.{name}`" not in facade.__doc__]
    assert not unnamed, f"the docstring of {case.package} does not list {unnamed}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_no_facade_name_is_hidden_by_a_module_of_its_package(case):
    """The façade imports each name's module when the name is first read (:mod:`mlsd.lazy`), and
    importing a submodule binds it in the package under its own name: a function named as its
    module would then read as the module."""
    facade = module(case, "__init__")
    package = {info.name for info in pkgutil.iter_modules(facade.__path__)}
    for name in sorted(package):
        importlib.import_module(f"{case.package}.{name}")
    hidden = sorted(set(facade._HOMES) & package)
    assert not hidden, f"{case.package} exports {hidden}, which are also its modules' names"
    assert all(not inspect.ismodule(getattr(facade, name)) for name in facade._HOMES)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_schema_has_a_time_column_the_size_columns_and_a_label_rule(case):
    schema = module(case, "schema")
    assert "time" in schema.COLUMNS
    assert set(schema.SIZE_COLUMNS) <= {"users", "items"}
    assert set(schema.SIZE_COLUMNS.values()) <= set(schema.COLUMNS)
    rule = getattr(schema, schema.LABEL_RULE, None)
    assert callable(rule), f"LABEL_RULE {schema.LABEL_RULE!r} is not a function of the schema"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_notebooks_exercise_and_data_cards_exist(case):
    for stage in STAGES:
        notebook = case.notebooks / f"{stage}.ipynb"
        assert (ROOT / notebook).is_file(), f"{notebook} is missing"
    assert (ROOT / case.exercise).is_file(), f"{case.exercise} is missing"
    cards = [f"{name}.md" for name in (case.name, *case.sources[1:])]
    missing = [card for card in cards if not (ROOT / "datasets" / card).is_file()]
    assert not missing, f"data cards missing under datasets/: {missing}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_sources_start_with_the_simulator_and_each_real_one_has_its_loader(case):
    data = module(case, "data")
    assert case.sources == data.SOURCES and data.SOURCES[0] == SIMULATED
    for source in data.SOURCES[1:]:
        loader = module(case, source)
        assert (loader.__doc__ or "").strip(), f"{loader.__name__} has no docstring"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_load_data_gives_a_table_in_the_schema_and_measures_it(case):
    data = loaded(case)
    schema = module(case, "schema")
    assert isinstance(data, CaseData) and data.source == SIMULATED and data.world is not None
    assert schema.check_table(data.table) is data.table
    table = data.table
    expected = {"rows": len(table)}
    expected.update({size: table[column].nunique() for size, column in schema.SIZE_COLUMNS.items()})
    expected["days"] = table["time"].max() - table["time"].min()
    assert data.sizes == expected


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_an_unknown_source_is_refused_naming_the_sources(case):
    data = module(case, "data")
    with pytest.raises(ValueError, match="data_source must be one of") as refused:
        data.load_data("nope")
    assert all(repr(source) in str(refused.value) for source in data.SOURCES)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_default_split_trains_on_the_past_and_tests_on_the_future(case):
    held_out = module(case, "data").split(loaded(case))
    assert isinstance(held_out, Split) and held_out.rule and "\n" not in held_out.rule
    assert len(held_out.train) and len(held_out.test)
    assert held_out.train["time"].max() < held_out.test["time"].min()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_design_review_is_filled(case):
    assert module(case, "design").design_doc().missing() == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_serving_funnel_has_stages_and_a_budget(case):
    serving = module(case, "serving")
    stages = serving.funnel_stages()
    assert stages and all(isinstance(stage, FunnelStage) for stage in stages)
    assert serving.LATENCY_BUDGET_MS > 0


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_gallery_tabs_are_explorers_with_widgets(case):
    gallery_tabs = module(case, "explore").gallery_tabs
    tabs = gallery_tabs(0, **smallest(ROOT / "notebooks" / "explorers.ipynb", gallery_tabs))
    assert tabs and all(isinstance(tab, ExplorerTab) for tab in tabs)
    for tab in tabs:
        assert tab.title and tab.what_to_try
        assert isinstance(tab.explorer.widget, widgets.Widget)
        assert all(isinstance(value, (int, float)) for value in tab.start.values())
