"""The pins: constraints.txt holds a tested version of every package pyproject.toml asks for, and
environment.yml (conda) lists the same packages at those versions."""

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    texts = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return {_key(Requirement(text).name): Requirement(text) for text in texts}


def _pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    pairs = [line.split("==") for line in lines if line.strip() and not line.startswith("#")]
    return {_key(name): version for name, version in pairs}


def _conda_dependencies() -> list:
    return yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]


def test_every_constraint_is_an_exact_pin():
    lines = [line for line in (ROOT / "constraints.txt").read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert lines and all(re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+!-]+", line) for line in lines), lines


def test_every_requirement_is_pinned_to_a_version_it_allows():
    pins = _pins()
    for key, requirement in _pyproject_requirements().items():
        assert key in pins, f"{requirement} has no pin in constraints.txt (make pins)"
        assert requirement.specifier.contains(pins[key]), f"{requirement.name}=={pins[key]} is not allowed by {requirement}"


def test_environment_yml_lists_the_same_packages_at_the_pinned_versions():
    plain = [d for d in _conda_dependencies() if isinstance(d, str)]
    conda = dict((_key(d.split("==")[0]), d.split("==")[1]) for d in plain if "==" in d)
    pins = _pins()
    assert conda == {key: pins[key] for key in _pyproject_requirements()}


def test_python_versions_agree():
    conda_python = next(d for d in _conda_dependencies() if isinstance(d, str) and d.startswith("python"))
    assert conda_python.removeprefix("python") == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]


def test_conda_environment_installs_the_kit_itself():
    pip_section = next(d["pip"] for d in _conda_dependencies() if isinstance(d, dict))
    assert "-e ." in pip_section


def test_the_reference_libraries_are_pinned_and_installed_without_dependencies():
    lines = (ROOT / "tests" / "references.txt").read_text().splitlines()
    pins = [line for line in lines if line.strip() and not line.startswith("#")]
    assert pins and all(re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+!-]+", line) for line in pins)
    assert "--no-deps -r tests/references.txt" in (ROOT / "Makefile").read_text()


def test_make_and_ci_install_from_the_pins():
    assert "-c constraints.txt" in (ROOT / "Makefile").read_text()
    assert "make test" in (ROOT / ".ci" / "run").read_text()
