"""The kit's commands start without what they do not need: no Earley parser of RFC 3987 behind
nbformat, no widgets or SciPy behind `mlsd explore`, no library behind `import mlsd`; a notebook still
validates."""

import os
import subprocess
import sys

from mlsd.explore.cache import CACHE_VARIABLE


def _python(code: str, environment: dict | None = None) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env=environment)
    return result.stdout.strip()


def test_the_command_line_blocks_the_iri_parser_and_notebooks_still_validate():
    shown = _python(
        "import sys, mlsd.cli, nbformat, jsonschema\n"
        "notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1 + 1')])\n"
        "nbformat.validate(notebook)\n"
        "print(sys.modules['rfc3987_syntax'])"
    )
    assert shown == "None"


def test_outside_the_kits_commands_the_iri_parser_imports_as_usual():
    assert _python("import sys, nbformat; print(type(sys.modules.get('rfc3987_syntax')).__name__)") == "module"


def test_the_app_server_module_loads_no_explorer_and_the_explorers_load_on_use():
    loaded = _python(
        "import sys, mlsd.explore.app\n"
        "print(sorted(m for m in ('scipy', 'ipywidgets', 'matplotlib', 'sklearn') if m in sys.modules))\n"
        "from mlsd.explore import ThresholdExplorer, FunnelStage\n"
        "import mlsd.explore as explore\n"
        "print(ThresholdExplorer.__module__, FunnelStage.__module__, set(explore.__all__) <= set(dir(explore)))"
    )
    assert loaded.splitlines() == ["[]", "mlsd.explore.threshold mlsd.explore.latency True"]


def test_importing_the_kit_loads_no_library_and_each_top_level_name_loads_on_use():
    loaded = _python(
        "import sys, mlsd, mlsd.startup\n"
        "print(sorted(m for m in ('numpy', 'pandas', 'matplotlib', 'ipywidgets') if m in sys.modules))\n"
        "print(all(getattr(mlsd, name) is not None for name in mlsd.__all__), mlsd.record.__module__,"
        " mlsd.plots.__name__, set(mlsd.__all__) <= set(dir(mlsd)))\n"
        "try:\n    mlsd.recrod\nexcept AttributeError as error:\n    print(error)"
    )
    assert loaded.splitlines() == [
        "[]", "True mlsd.records mlsd.plots True", "module 'mlsd' has no attribute 'recrod'",
    ]


def test_the_gallery_read_from_its_cache_imports_no_model_library(tmp_path):
    """With its cache filled, the gallery's kernel (what ``mlsd explore`` waits for) imports the
    tabs' data and the first explorer only: no scikit-learn, LightGBM, SciPy or matplotlib, which
    the simulators, the models and the other explorers need."""
    code = (
        "import sys\n"
        "from mlsd.cases import gallery\n"
        "view = gallery.gallery(gallery.gallery_tabs(3, n_impressions=20_000, n_events=10_000,"
        " n_feed_impressions=20_000, n_searches=2_000, n_orders=5_000))\n"
        "print(sorted(m for m in ('sklearn', 'lightgbm', 'scipy', 'matplotlib') if m in sys.modules))"
    )
    environment = {**os.environ, CACHE_VARIABLE: str(tmp_path)}
    filled, read = (_python(code, environment) for _ in range(2))
    assert filled == "['lightgbm', 'scipy', 'sklearn']"
    assert read == "[]"
