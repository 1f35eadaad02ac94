"""Every verifier scenario of tests/vectors/verifier.json against OrgTokenVerifier — each step
against the one verifier of its scenario — with the count core and WASM must match."""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest

from orgkit import OrgkitError, OrgTokenVerifier
from conftest import SCENARIOS, VECTORS, contains

DOC = json.loads((VECTORS / "verifier.json").read_text())


def outcome(fn: Callable[[], Any]) -> dict[str, Any]:
    """What `fn` answered: {"expect": value} or {"error": code, "field": field}."""
    try:
        return {"expect": fn()}
    except OrgkitError as e:
        return {"error": e.code, "field": e.field}


def meets(got: dict[str, Any], want: dict[str, Any]) -> bool:
    if "error" in want:
        return got.get("error") == want["error"] and ("field" not in want or got.get("field") == want["field"])
    return "expect" in got and contains(want.get("expect", {}), got["expect"] if got["expect"] is not None else {})


def test_there_are_scenarios() -> None:
    assert len(DOC["scenarios"]) >= 20


@pytest.mark.parametrize("scenario", DOC["scenarios"], ids=[s["name"] for s in DOC["scenarios"]])
def test_scenario(scenario: dict[str, Any]) -> None:
    SCENARIOS.run += 1
    SCENARIOS.failed += 1  # until it passes
    jwks = DOC["jwks"][scenario["jwks"]]
    built = outcome(lambda: OrgTokenVerifier(jwks, **scenario["config"]))
    if "error" in scenario:
        assert meets(built, scenario), f"built: {built}"
        SCENARIOS.failed -= 1
        return
    assert "expect" in built, f"not built: {built}"
    verifier: OrgTokenVerifier = built["expect"]
    for i, step in enumerate(scenario["steps"]):
        if "replace_jwks" in step:
            got = outcome(lambda: verifier.set_jwks(DOC["jwks"][step["replace_jwks"]]))
        else:
            token = DOC["tokens"][step["verify"]]
            got = outcome(lambda: verifier.verify(token, now=step["now"], **step.get("require", {})))
        assert meets(got, step), f"step {i} {step}: got {got}"
        if "cached" in step:
            assert verifier.cache_len == step["cached"], f"step {i} {step}: {verifier.cache_len} tokens cached"
        SCENARIOS.steps += 1
    SCENARIOS.failed -= 1
