"""The package surface: facade functions, exception mapping, junk input, stubs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import orgkit
from orgkit import OrgkitError, RequestError, _orgkit

FAMILY_CLASS = {
    "request": orgkit.RequestError,
    "token": orgkit.TokenError,
    "permission": orgkit.OrgPermissionError,
    "invitation": orgkit.InvitationError,
    "settings": orgkit.SettingsError,
    "login": orgkit.LoginError,
    "resource": orgkit.ResourceError,
}


def test_every_operation_has_a_facade_function() -> None:
    assert orgkit.OPERATIONS, "core lists no operations"
    for op in orgkit.OPERATIONS:
        assert callable(getattr(orgkit, op, None)), f"core has a new operation: add `def {op}(...)` to python/orgkit/__init__.py"
        assert op in orgkit.__all__


def test_facade_takes_a_dict_or_keywords() -> None:
    assert orgkit.normalize_slug(name="Acme Corp") == {"slug": "acme-corp"}
    assert orgkit.normalize_slug({"name": "Acme Corp"}) == {"slug": "acme-corp"}
    assert orgkit.call("normalize_slug", {"name": "Acme Corp"}) == {"slug": "acme-corp"}


def test_error_table_covers_core_codes_and_families() -> None:
    table = orgkit.error_table()
    assert set(table) == set(orgkit.error_codes()["codes"])
    assert {family for family, _ in table.values()} <= set(FAMILY_CLASS)
    assert all(400 <= status <= 599 for _, status in table.values())


def test_exceptions_are_value_errors_with_structure() -> None:
    with pytest.raises(RequestError) as e:
        orgkit.validate_slug(slug="-Bad-")
    error = e.value
    assert isinstance(error, ValueError) and isinstance(error, OrgkitError)
    assert error.code == "invalid_slug" and error.status == 422 and error.message
    assert str(error).startswith("invalid_slug: ")
    for cls in FAMILY_CLASS.values():
        assert issubclass(cls, OrgkitError) and cls.__module__ == "orgkit"
    assert orgkit.OrgPermissionError is not PermissionError


def test_unknown_field_and_unknown_operation() -> None:
    with pytest.raises(RequestError) as e:
        orgkit.normalize_slug(name="x", extra=1)
    assert e.value.code == "unknown_field"
    with pytest.raises(RequestError) as e:
        orgkit.call("no_such_op", {})
    assert e.value.code == "invalid_request"


@pytest.mark.parametrize(
    "value,error",
    [
        ({"name": object()}, TypeError),
        ({1: "x"}, TypeError),
        ({"name": 2**70}, RequestError),
        ({"name": float("inf")}, RequestError),
        ({"name": {"a": {"b": {}}}}, RequestError),
    ],
)
def test_non_json_input_raises_not_crashes(value: Any, error: type) -> None:
    with pytest.raises(error):
        orgkit.call("normalize_slug", value)


def test_self_referencing_input_raises_input_too_large() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(RequestError) as e:
        orgkit.call("normalize_slug", {"name": loop})
    assert e.value.code == "input_too_large"


def test_inputs_survive_round_trip_types() -> None:
    out = orgkit.resolve_settings({})
    assert isinstance(out, dict)
    tuple_in = orgkit.check_connection_allowed(org_connections=("c1", "c2"), connection_id="c2")
    assert tuple_in == {"allowed": True}


PACKAGE_DIR = Path(orgkit.__file__).parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MYPY_CACHE_DIR": os.environ.get("MYPY_CACHE_DIR", "/tmp/orgkit-mypy-cache")}
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, env=env, timeout=600)


def test_package_type_checks_strictly() -> None:
    result = run("mypy", "--strict", "-p", "orgkit")
    assert result.returncode == 0, result.stdout + result.stderr
