"""environment.yml (conda) lists the same packages with the same versions as pyproject.toml (pip)."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$")


def _normalise(requirement: str) -> tuple[str, str]:
    name, specifier = REQUIREMENT.match(requirement).groups()
    return re.sub(r"[-_.]+", "-", name).lower(), specifier.replace(" ", "")


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return dict(_normalise(r) for r in requirements)


def _conda_requirements() -> dict[str, str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    plain = [d for d in environment["dependencies"] if isinstance(d, str)]
    return dict(_normalise(d) for d in plain if _normalise(d)[0] not in {"python", "pip"})


def test_environment_yml_matches_pyproject():
    assert _conda_requirements() == _pyproject_requirements()


def test_python_versions_agree():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_python = dict(_normalise(d) for d in environment["dependencies"] if isinstance(d, str))["python"]
    assert conda_python == tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]


def test_conda_environment_installs_the_kit_itself():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section
