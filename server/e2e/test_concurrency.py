"""Races over real sockets, against two orgkit-server processes sharing one database (SQLite file
or PostgreSQL), 50 requests at once, split between the two instances:

- 50 accepts of one invitation → exactly one membership, 49 `409 invitation_used`;
- 50 demotions and removals of an org's 50 owners → exactly one `409 last_owner`, one owner left;
- 50 wrong-password logins with `max_login_attempts` 5 → exactly 5 `401 invalid_credentials`,
  then `423 account_locked`;
- a signing key rotated by another process (`orgkit-server keys rotate`): tokens of the new key,
  signed by one instance, verify at the other, which had not loaded it; tokens of the old key
  keep verifying at both.
"""

import base64
import concurrent.futures
import json
import os
import re
import subprocess

import pytest

from conftest import BACKENDS, NO_RATE_LIMIT, Server, call

M = "/manage/v1/default"
PASSWORD = "correct horse battery"
N = 50


@pytest.fixture(scope="module", params=BACKENDS)
def instances(request, tmp_path_factory):
    first = Server(request.param, tmp_path_factory.mktemp("race"), extra_env=NO_RATE_LIMIT)
    first.start()
    second = Server(request.param, first.tmp, shared_database=first.database_url, public_url=first.base, key=first.key,
                    extra_env=NO_RATE_LIMIT)
    second.start()
    try:
        yield first, second
    finally:
        second.stop()
        first.stop()


def race(calls):
    """Runs every (base, method, path, body, token) at once; answers in order."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda c: call(*c), calls))


def outcomes(answers):
    counts = {}
    for status, body in answers:
        key = (status, body["error"]["code"]) if body and "error" in body else status
        counts[key] = counts.get(key, 0) + 1
    return counts


def new_org(server, slug, **settings):
    status, org = call(server.base, "POST", f"{M}/organizations", {"name": slug.title(), "slug": slug, **settings}, server.key)
    assert status == 201, org
    return org["id"]


def new_user(server, email):
    status, user = call(server.base, "POST", "/api/v1/auth/signup", {"email": email, "password": PASSWORD})
    assert status == 201, user
    token = user["data"]["accessToken"]
    return call(server.base, "GET", "/api/v1/me", None, token)[1]["data"]["id"], token


def test_fifty_accepts_of_one_invitation_make_one_membership(instances):
    a, b = instances
    org = new_org(a, "accepts")
    status, inv = call(a.base, "POST", f"{M}/organizations/{org}/invitations", {"email": "bob@race.test", "role": "member"}, a.key)
    assert status == 201, inv
    token = re.search(r"/invitations/([^/?#]+)", inv["invitation_url"]).group(1)
    _, bob = new_user(a, "bob@race.test")
    answers = race([(s.base, "POST", f"/api/v1/organizations/invitations/{token}/accept", {}, bob) for s in [a, b] * (N // 2)])
    assert outcomes(answers) == {200: 1, (409, "invitation_used"): N - 1}
    status, members = call(a.base, "GET", f"{M}/organizations/{org}/members?limit=200", None, a.key)
    assert [m["email"] for m in members["data"]] == ["bob@race.test"]


def test_fifty_owner_demotions_and_removals_keep_one_owner(instances):
    a, b = instances
    org = new_org(a, "owners")
    owners = []
    for i in range(N):
        user_id, _ = new_user(a, f"owner{i}@race.test")
        assert call(a.base, "POST", f"{M}/organizations/{org}/members", {"user_id": user_id, "role": "owner"}, a.key)[0] == 201
        owners.append(user_id)
    calls = []
    for i, user_id in enumerate(owners):
        server, path = (a, b)[i % 2], f"{M}/organizations/{org}/members/{user_id}"
        calls.append((server.base, "DELETE", path, None, server.key) if i % 4 < 2
                     else (server.base, "PATCH", path, {"role": "member"}, server.key))
    counts = outcomes(race(calls))
    assert counts.pop((409, "last_owner")) == 1, counts
    assert set(counts) <= {200, 204} and sum(counts.values()) == N - 1, counts
    status, members = call(a.base, "GET", f"{M}/organizations/{org}/members?limit=200", None, a.key)
    assert sum(m["role"] == "owner" for m in members["data"]) == 1


def test_fifty_wrong_logins_lock_exactly_at_the_limit(instances):
    a, b = instances
    org = new_org(a, "strict", max_login_attempts=5)
    user_id, _ = new_user(a, "ann@race.test")
    assert call(a.base, "POST", f"{M}/organizations/{org}/members", {"user_id": user_id, "role": "member"}, a.key)[0] == 201
    body = {"email": "ann@race.test", "password": "wrong password", "organization": "strict"}
    answers = race([(s.base, "POST", "/api/v1/auth/login", body, None) for s in [a, b] * (N // 2)])
    assert outcomes(answers) == {(401, "invalid_credentials"): 5, (423, "account_locked"): N - 5}
    # Locked: the right password is not even checked.
    right = call(b.base, "POST", "/api/v1/auth/login", {**body, "password": PASSWORD})
    assert (right[0], right[1]["error"]["code"]) == (423, "account_locked")


def kid_of(token):
    header = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]


def test_a_key_rotated_by_another_process_verifies_at_every_instance(instances):
    first, second = instances
    _, old = new_user(first, "rotation@example.com")
    assert call(second.base, "GET", "/api/v1/me", None, old)[0] == 200  # second has the old key loaded
    rotated = subprocess.run([os.environ["ORGKIT_SERVER_BIN"], "keys", "rotate"], env=first.env,
                             capture_output=True, text=True, timeout=120)
    assert rotated.returncode == 0, rotated.stderr
    kid = json.loads(rotated.stdout)["kid"]
    # A restarted (or new) instance signs with the new key at once; the other still holds the old
    # key set in its cache and must find the new key when a token names it.
    first.stop()
    first.start()
    status, login = call(first.base, "POST", "/api/v1/auth/login", {"email": "rotation@example.com", "password": PASSWORD})
    assert status == 200, login
    new = login["data"]["accessToken"]
    assert kid_of(new) == kid != kid_of(old)
    for server in (second, first):
        for token in (new, old):
            status, me = call(server.base, "GET", "/api/v1/me", None, token)
            assert status == 200, (server.base, me)
        status, jwks = call(server.base, "GET", "/.well-known/jwks.json")
        assert {kid, kid_of(old)} <= {k["kid"] for k in jwks["keys"]}, jwks
