"""The generated types (python/orgkit/types.py, the `call` overloads) are true and enforced.

- `mypy --strict --warn-unused-ignores` on tests/types/usage.py: right uses type-check, every
  wrong use is flagged (an ignore that stops being needed fails);
- `mypy.stubtest orgkit`: the stubs of the compiled module and the package agree with what runs;
- every shared vector's input and every answer core gives are values of the operation's types,
  checked member by member at run time (no extra member, no missing required one).
"""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any, Literal, Union

import pytest

import orgkit
from typing_extensions import get_type_hints, is_typeddict

from orgkit import OrgkitError, _orgkit, types
from test_module import run
from test_vectors import CASES

USAGE = Path(__file__).parent / "types" / "usage.py"
STUB = Path(_orgkit.__file__).with_name("_orgkit.pyi")


def declared_signatures() -> dict[str, tuple[Any, Any]]:
    """Each operation's input and output type, as the stub's `call` overloads declare them."""
    overload = re.compile(r'^def call\(op: Literal\["(\w+)"\], input: (.+)\) -> (.+): \.\.\.$', re.MULTILINE)
    namespace = {**vars(types), "Any": Any}
    return {op: (eval(i, namespace), eval(o, namespace)) for op, i, o in overload.findall(STUB.read_text())}


SIGNATURES = declared_signatures()


def test_typed_usage_checks_and_wrong_uses_are_flagged() -> None:
    result = run("mypy", "--strict", "--warn-unused-ignores", "--no-incremental", str(USAGE))
    assert result.returncode == 0, result.stdout + result.stderr


def test_stubtest_matches_the_installed_package(tmp_path: Path) -> None:
    # typing_extensions' TypedDict carries PEP 705/728 attributes typeshed does not declare yet,
    # and stubtest reads a `Literal[...]` alias as a Union it then cannot find at run time.
    literals = [name for name in types.__all__ if typing.get_origin(getattr(types, name)) is Literal]
    allowlist = tmp_path / "allowlist.txt"
    allowlist.write_text(
        "orgkit\\.types\\.\\w+\\.__(closed|extra_items|mutable_keys|readonly_keys)__\n"
        + "".join(f"orgkit\\.types\\.{name}\n" for name in literals)
    )
    result = run("mypy.stubtest", "orgkit", "--allowlist", str(allowlist))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_operation_has_its_types() -> None:
    assert set(SIGNATURES) == set(orgkit.OPERATIONS)
    assert set(typing.get_args(types.OperationName)) == set(orgkit.OPERATIONS)


def test_error_codes_and_families_are_cores() -> None:
    table = orgkit.error_table()
    assert set(typing.get_args(types.ErrorCode)) == set(table)
    assert set(typing.get_args(types.Family)) == {family for family, _ in table.values()}


def conforms(value: Any, hint: Any, path: str) -> list[str]:
    """Where `value` is not a value of type `hint` (empty if it is)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return []
    if hint is type(None):
        return [] if value is None else [f"{path}: {value!r} is not None"]
    if origin is Literal:
        return [] if any(value == a and type(value) is type(a) for a in args) else [f"{path}: {value!r} not in {args}"]
    if origin is Union:
        failures = [conforms(value, a, path) for a in args]
        return [] if any(not f for f in failures) else [f"{path}: {value!r} matches no member of {hint}"]
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: {value!r} is not a list"]
        return [f for i, item in enumerate(value) for f in conforms(item, args[0], f"{path}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{path}: {value!r} is not a dict"]
        return [f for k, item in value.items() for f in conforms(item, args[1], f"{path}.{k}")]
    typed_dict = origin if origin is not None else hint
    if is_typeddict(typed_dict):
        return typed_dict_conforms(value, typed_dict, args, path)
    if hint in (str, int, bool):
        return [] if type(value) is hint else [f"{path}: {value!r} is not {hint.__name__}"]
    raise AssertionError(f"{path}: no check for {hint}")


def typed_dict_conforms(value: Any, typed_dict: Any, args: tuple[Any, ...], path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: {value!r} is not a {typed_dict.__name__}"]
    hints = get_type_hints(typed_dict)
    bound = dict(zip(getattr(typed_dict, "__parameters__", ()), args))
    failures = [f"{path}: no member {k} in {typed_dict.__name__}" for k in value if k not in hints]
    failures += [f"{path}: {typed_dict.__name__} lacks {k}" for k in typed_dict.__required_keys__ if k not in value]
    for key, item in value.items():
        if key in hints:
            failures += conforms(item, bound.get(hints[key], hints[key]), f"{path}.{key}")
    return failures


def test_the_conformance_check_refuses_wrong_values() -> None:
    assert conforms({"slug": "acme"}, types.Slug, "v") == []
    assert conforms({"slug": 1}, types.Slug, "v")
    assert conforms({"slug": "acme", "name": "x"}, types.Slug, "v")
    assert conforms({}, types.Slug, "v")
    assert conforms({"value": "8", "source": "default"}, types.Effective[int], "v")
    assert conforms({"role": "root"}, types.RoleName, "v")
    assert conforms({"allowed": 1}, types.Allowed, "v")


@pytest.mark.parametrize("name,vector", CASES, ids=[name for name, _ in CASES])
def test_vectors_are_values_of_the_types(name: str, vector: dict[str, Any]) -> None:
    input_type, output_type = SIGNATURES[vector["op"]]
    if "error" not in vector:  # a refused input may be refused for its shape
        assert conforms(vector["input"], input_type, "input") == []
    try:
        output = orgkit.call(vector["op"], vector["input"])
    except OrgkitError:
        return
    assert conforms(output, output_type, "output") == []
