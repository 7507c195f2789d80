"""The generated package records what made it (the spec's sha256, the generator's version, the templates'
sha256), readable at run time, and `make check-generated` refuses a package whose record does not match."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import callbot_client

REPO = Path(__file__).resolve().parents[2]
POST_GENERATE = REPO / "openapi" / "spec_to_json.py"
SPEC = REPO / "openapi" / "callbot.yaml"
PACKAGE = REPO / "generated" / "callbot_client"


def check(package: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(POST_GENERATE), "--check", str(SPEC), str(package / "openapi.json")]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_the_package_exposes_the_sha256_of_the_spec_it_was_generated_from() -> None:
    assert hashlib.sha256(SPEC.read_bytes()).hexdigest() == callbot_client.SPEC_SHA256


def test_the_package_exposes_the_generator_version_that_made_it() -> None:
    assert version("openapi-python-client") == callbot_client.GENERATOR_VERSION


def test_the_provenance_is_public_and_a_module_of_the_package_so_the_wheel_carries_it() -> None:
    assert {"SPEC_SHA256", "GENERATOR_VERSION", "TEMPLATES_SHA256"} <= set(callbot_client.__all__)
    assert (PACKAGE / "_provenance.py").is_file()  # setuptools ships every module of the package


def test_check_passes_on_the_committed_package() -> None:
    result = check(PACKAGE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_names_each_value_that_does_not_match(tmp_path: Path) -> None:
    copy = tmp_path / "callbot_client"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    provenance = copy / "_provenance.py"
    text = provenance.read_text(encoding="utf-8")
    text = text.replace(callbot_client.SPEC_SHA256, "0" * 64).replace(callbot_client.GENERATOR_VERSION, "0.0.1")
    provenance.write_text(text, encoding="utf-8")
    result = check(copy)
    assert result.returncode == 1
    assert "SPEC_SHA256 is '" + "0" * 64 in result.stdout
    assert "GENERATOR_VERSION is '0.0.1'" in result.stdout
    assert "TEMPLATES_SHA256" not in result.stdout


def test_check_refuses_a_package_without_provenance(tmp_path: Path) -> None:
    copy = tmp_path / "callbot_client"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "_provenance.py"))
    result = check(copy)
    assert result.returncode == 1 and "SPEC_SHA256 is None" in result.stdout
