"""Every shared vector of tests/vectors/*.json, through `orgkit._orgkit.call` — none skipped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orgkit import OrgkitError, _orgkit
from conftest import TALLY, VECTORS, contains

FAMILY_CLASS = {
    "request": _orgkit.RequestError,
    "token": _orgkit.TokenError,
    "permission": _orgkit.OrgPermissionError,
    "invitation": _orgkit.InvitationError,
    "settings": _orgkit.SettingsError,
    "login": _orgkit.LoginError,
    "resource": _orgkit.ResourceError,
}


def load() -> list[tuple[str, dict[str, Any]]]:
    """Every per-operation vector (files with `vectors`; the verifier's `scenarios` run in
    test_verifier_vectors.py)."""
    cases = []
    for path in sorted(VECTORS.glob("*.json")):
        document = json.loads(path.read_text())
        assert ("vectors" in document) != ("scenarios" in document), f"{path.name}: exactly one of vectors and scenarios"
        for vector in document.get("vectors", []):
            cases.append((f"{path.stem}::{vector['name']}", vector))
    return cases


CASES = load()


def test_vector_files_exist() -> None:
    assert CASES, f"no vectors found in {VECTORS}"
    names = [name for name, _ in CASES]
    assert len(names) == len(set(names)), "vector names must be unique per file"


@pytest.mark.parametrize("name,vector", CASES, ids=[name for name, _ in CASES])
def test_vector(name: str, vector: dict[str, Any]) -> None:
    TALLY.run += 1
    assert ("output" in vector) != ("error" in vector), f"{name}: exactly one of output and error"
    if "error" in vector:
        with pytest.raises(OrgkitError) as caught:
            _orgkit.call(vector["op"], vector["input"])
        assert caught.value.code == vector["error"], f"{name}: {caught.value}"
        family, status = _orgkit.error_table()[caught.value.code]
        assert isinstance(caught.value, FAMILY_CLASS[family])
        assert caught.value.status == status
    else:
        try:
            output = _orgkit.call(vector["op"], vector["input"])
        except OrgkitError as error:
            pytest.fail(f"{name}: expected success, got {error.code}: {error.message}")
        assert contains(vector["output"], output), f"{name}: {json.dumps(output)[:2000]}"
    TALLY.passed += 1
