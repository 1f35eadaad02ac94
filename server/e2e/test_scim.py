"""The SCIM 2.0 server (RFC 7643, RFC 7644) end to end, over real sockets on SQLite and PostgreSQL:
scim2-tester's compliance suite, the request sequences Okta and Microsoft Entra ID document for
their provisioning clients replayed as they send them, and the attacks an org's owner, an admin
or another org's token could try. Each org proves its email domain through a real DNS server on
loopback (dnslib), as test_hostile_owner's owner does: a SCIM token of the org provisions only
addresses of the org's verified domains, unless the operator made it for any domain.

The contract under test: a SCIM token belongs to one org (its owner's user API, or the operator's
management API, which alone may allow any domain); at its base URL `{public URL}/scim/v2/{orgId}`
a SCIM user is a member of the org (`active: false` suspends the membership and revokes the
user's tokens, DELETE ends it, never for the last owner), and the org's `group_role_mappings`
turn SCIM groups into roles (the highest mapped role of a user's groups wins). Every change is
audited with a `scim.` action or `member.role_changed`, by `scim_token:{id}`.

Each test makes its own orgs on a server shared by the module (one per backend); none depends on
another's leftovers. The abuse limits are off: the tests sign up many users from one address."""

import collections
import contextlib
import itertools
import json
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import httpx
import jwt
import pytest
from scim2_client import BaseSyncSCIMClient, RequestNetworkException
from scim2_tester import Status, check_server

from conftest import BACKENDS, NO_RATE_LIMIT, Server, call, dns_server

PASSWORD = "correct horse battery"
M = "/manage/v1/default"
SCIM_JSON = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
# The user API's org update as the SCIM contract names it (the rest of the user API's org
# update is `PUT /api/v1/organizations/{id}`).
ORG_UPDATE = "PUT"  # seed 004 updates an org with PUT (a merge of the fields sent)
# scim2-tester's statuses that mean "conforms" (0.5 answers SUCCESS or SKIPPED for those).
PASSING = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE, Status.SKIPPED}
Org = collections.namedtuple("Org", "id owner domain")
_unique = itertools.count()


# ------------------------------------------------------------------ the server, orgs and their tokens
@pytest.fixture(scope="module", params=BACKENDS)
def env(request):
    """orgkit-server on each backend, its public URL its own address, resolving DNS through a
    dnslib server on loopback whose TXT records the tests set."""
    with contextlib.ExitStack() as stack:
        resolver, zone = stack.enter_context(dns_server())
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        server = Server(request.param, tmp, extra_env={"ORGKIT_DNS_RESOLVER": resolver, **NO_RATE_LIMIT})
        server.start()
        stack.callback(server.stop)
        yield {"base": server.base, "key": server.key, "zone": zone, "server": server}


def ok(answer, status):
    """The body of a `call` or `Scim` answer that has `status`."""
    assert answer[0] == status, answer[:2]
    return answer[1]


def refused(answer, status):
    """A user or management API refusal: `status` with the error envelope."""
    got, body = answer[0], answer[1]
    assert got == status, body
    assert body and "error" in body, body
    return body["error"]


def unique(prefix):
    return f"{prefix}-{next(_unique)}{os.urandom(3).hex()}"


def signup(env, email):
    return ok(call(env["base"], "POST", "/api/v1/auth/signup", {"email": email, "password": PASSWORD}), 201)["data"]["accessToken"]


def login(env, email):
    return ok(call(env["base"], "POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD}), 200)["data"]["accessToken"]


def me(env, token):
    return ok(call(env["base"], "GET", "/api/v1/me", token=token), 200)["data"]


def verify_domain(env, token, org, domain):
    """The org's owner claims `domain` and publishes the claim's TXT record; DNS proves it."""
    claim = ok(call(env["base"], "POST", f"/api/v1/organizations/{org}/domains", {"domain": domain}, token), 201)["data"]
    env["zone"].set(claim["verification"]["name"], claim["verification"]["value"])
    verified = ok(call(env["base"], "POST", f"/api/v1/organizations/{org}/domains/{claim['id']}/verify", token=token), 200)["data"]
    assert (verified["domain"], verified["status"]) == (domain, "verified"), verified


def company(env, name):
    """An org made by a user who signed up as owner@ a fresh domain, which the org then proves."""
    domain = f"{unique(name)}.test"
    owner = signup(env, f"owner@{domain}")
    org = ok(call(env["base"], "POST", "/api/v1/organizations", {"name": name.title(), "slug": domain.split(".")[0]}, owner), 201)["data"]["id"]
    verify_domain(env, owner, org, domain)
    return Org(org, owner, domain)


def owner_token(env, org):
    """A SCIM token made by the org's owner in the user API (shown once): its `data`."""
    data = ok(call(env["base"], "POST", f"/api/v1/organizations/{org.id}/scim/tokens", token=org.owner), 201)["data"]
    assert data["baseUrl"] == f"{env['base']}/scim/v2/{org.id}", data
    return data


def operator_token(base, key, org_id, allow_any_domain=None):
    """A SCIM token made by the operator in the management API."""
    body = None if allow_any_domain is None else {"allow_any_domain": allow_any_domain}
    data = ok(call(base, "POST", f"{M}/organizations/{org_id}/scim/tokens", body, key), 201)
    assert data["base_url"] == f"{base}/scim/v2/{org_id}" and data["allow_any_domain"] is bool(allow_any_domain), data
    return data


def owner_scim(env, org):
    data = owner_token(env, org)
    return Scim(data["baseUrl"], data["token"])


class Scim:
    """Requests to one SCIM base URL with one bearer token, as an IdP's provisioning client
    sends them: `scim(method, path, body)` answers (status, parsed body, headers)."""

    def __init__(self, url, token):
        self.url, self.token = url, token

    def __call__(self, method, path, body=None, *, raw=None, content_type=SCIM_JSON, token=None):
        data = raw if raw is not None else None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={"accept": SCIM_JSON})
        if data is not None:
            req.add_header("content-type", content_type)
        if token or self.token:
            req.add_header("authorization", f"Bearer {token or self.token}")
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                status, headers, text = resp.status, resp.headers, resp.read().decode()
        except urllib.error.HTTPError as e:
            status, headers, text = e.code, e.headers, e.read().decode()
        try:
            return status, json.loads(text) if text else None, headers
        except json.JSONDecodeError:
            return status, text, headers


def query(filter_, **params):
    """A query string with a filter, encoded as Okta sends it (%20, %22)."""
    rest = "".join(f"&{k}={v}" for k, v in params.items())
    return f"?filter={urllib.parse.quote(filter_, safe='')}{rest}"


def patch(scim, path, *operations):
    """A PatchOp; 200 with the resource or 204 (both are RFC 7644's)."""
    status, body, _ = scim("PATCH", path, {"schemas": [PATCH_OP], "Operations": list(operations)})
    assert status in (200, 204), (status, body)
    return body


def scim_error(answer, status, scim_type=None):
    """An RFC 7644 error body with `status` (and `scimType`)."""
    got, body, _ = answer
    assert got == status, body
    assert isinstance(body, dict) and body.get("schemas") == [ERROR] and str(body.get("status")) == str(status), body
    if scim_type:
        assert body.get("scimType") == scim_type, body
    return body


def found(scim, filter_):
    """The ids a filtered /Users or /Groups list answers."""
    resource = "/Groups" if filter_.startswith("displayName") else "/Users"
    page = ok(scim("GET", resource + query(filter_)), 200)
    assert page["schemas"] == [LIST] and page["totalResults"] == len(page.get("Resources", [])), page
    return [r["id"] for r in page.get("Resources", [])]


def scim_user_id(scim, email):
    """The SCIM id of an existing member: found by userName, else linked by a create with their email."""
    ids = found(scim, f'userName eq "{email}"')
    if ids:
        return ids[0]
    return ok(scim("POST", "/Users", {"schemas": [USER], "userName": email, "emails": [{"value": email, "primary": True}]}), 201)["id"]


def roles(env, org):
    """The org's members as its owner sees them in the user API: {email: role}."""
    members = ok(call(env["base"], "GET", f"/api/v1/organizations/{org.id}/members?limit=200", token=org.owner), 200)["data"]
    return {m["email"].lower(): m["role"] for m in members}


def org_ids(env, token):
    return {o["id"] for o in ok(call(env["base"], "GET", "/api/v1/organizations?limit=200", token=token), 200)["data"]}


def tenant_users(env):
    users, cursor = [], None
    while True:
        page = ok(call(env["base"], "GET", f"{M}/users?limit=200" + (f"&cursor={cursor}" if cursor else ""), token=env["key"]), 200)
        users += page["data"]
        if not (cursor := page.get("next_cursor")):
            return users


def audit_entries(env, org):
    return ok(call(env["base"], "GET", f"{M}/organizations/{org.id}/audit-log?limit=200", token=env["key"]), 200)["data"]


def audit_actions(env, org):
    return [e["action"] for e in audit_entries(env, org)]


def map_groups(env, org, mappings, token=None):
    """Sets the org's group_role_mappings: as the operator, or as `token` in the user API."""
    if token is None:
        return call(env["base"], "PATCH", f"{M}/organizations/{org.id}", {"group_role_mappings": mappings}, env["key"])
    return call(env["base"], ORG_UPDATE, f"/api/v1/organizations/{org.id}", {"groupRoleMappings": mappings}, token)


def next_second_after(token):
    """Revocation is by the second (tokens issued before it): wait until `token`'s second is past."""
    issued = jwt.decode(token, options={"verify_signature": False})["iat"]
    while int(time.time()) <= issued:
        time.sleep(0.05)


def okta_user(email, external_id="00ujl29u0le5T6Aj10h7"):
    """Okta's create request (its SCIM 2.0 reference), with the placeholder password it always sends."""
    return {
        "schemas": [USER],
        "userName": email,
        "name": {"givenName": "Test", "familyName": "User"},
        "emails": [{"primary": True, "value": email, "type": "work"}],
        "displayName": "Test User",
        "locale": "en-US",
        "externalId": external_id,
        "groups": [],
        "password": "1mz050nq",
        "active": True,
    }


class HttpxSCIMClient(BaseSyncSCIMClient):
    """scim2-client's synchronous client over an httpx.Client that holds the base URL and the
    bearer header (scim2-client's own engine does the same over httpx2)."""

    def __init__(self, client, **kwargs):
        super().__init__(**kwargs)
        self.client = client

    def _stays_under_base_url(self, endpoint):
        base, url = self.client.base_url, self.client.build_request("GET", endpoint).url
        return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port) and url.raw_path.startswith(base.raw_path)

    def _parse_json(self, response):
        return response.json()

    def request(self, method, url, **kwargs):
        try:
            return self.client.request(method, url, **kwargs)
        except httpx.RequestError as exc:
            raise RequestNetworkException() from exc


# ------------------------------------------------------------------ compliance
def test_scim2_tester_finds_no_fault(server):
    """scim2-tester's whole suite (discovery, CRUD, attribute selection, PATCH add/remove/replace
    of every attribute the server publishes) against a real org, with the operator's token for
    any domain (the suite's users have random addresses): every check passes or is skipped."""
    base, key = server
    org = ok(call(base, "POST", f"{M}/organizations", {"name": "Conformance", "slug": "conformance"}, key), 201)["id"]
    token = operator_token(base, key, org, allow_any_domain=True)
    headers = {"authorization": f"Bearer {token['token']}"}
    with httpx.Client(base_url=token["base_url"], headers=headers, timeout=30) as http_client:
        results = check_server(HttpxSCIMClient(http_client), raise_exceptions=False)
    passed = sum(r.status == Status.SUCCESS for r in results)
    failed = [r for r in results if r.status not in PASSING]
    report = "\n".join(f"  [{r.resource_type or '-'}] {r.title}: {r.status.name}: {str(r.reason)[:400]}" for r in failed)
    assert not failed, f"scim2-tester: {len(failed)} of {len(results)} checks failed, {passed} passed:\n{report}"
    assert {"User", "Group"} <= {r.resource_type for r in results}, "the suite ran no CRUD check of Users and Groups"
    print(f"scim2-tester: {passed} checks passed, {len(results) - passed} skipped")


def test_discovery_describes_users_and_groups(env):
    """/ServiceProviderConfig, /ResourceTypes and /Schemas (one by one too) describe Users and
    Groups with PATCH and filtering, in application/scim+json."""
    scim = owner_scim(env, company(env, "discovery"))
    status, config, headers = scim("GET", "/ServiceProviderConfig")
    assert status == 200 and headers["content-type"].startswith(SCIM_JSON), (status, headers, config)
    assert config["patch"]["supported"] is True and config["filter"]["supported"] is True, config
    types = ok(scim("GET", "/ResourceTypes"), 200)
    by_name = {t["name"]: t for t in types["Resources"]}
    assert (by_name["User"]["endpoint"], by_name["User"]["schema"]) == ("/Users", USER), types
    assert (by_name["Group"]["endpoint"], by_name["Group"]["schema"]) == ("/Groups", GROUP), types
    assert ok(scim("GET", "/ResourceTypes/User"), 200)["schema"] == USER
    assert ok(scim("GET", "/ResourceTypes/Group"), 200)["schema"] == GROUP
    schemas = ok(scim("GET", "/Schemas"), 200)
    assert {USER, GROUP} <= {s["id"] for s in schemas.get("Resources", [])}, schemas
    user_schema = ok(scim("GET", f"/Schemas/{USER}"), 200)
    assert user_schema["id"] == USER and "userName" in {a["name"] for a in user_schema["attributes"]}, user_schema
    assert ok(scim("GET", f"/Schemas/{GROUP}"), 200)["id"] == GROUP


def test_scim_tokens_are_shown_once_listed_without_their_value_and_revoked_by_delete(env):
    """Tokens of the owner's user API and of the operator's management API: the value only in the
    answer that made it, the listings without it (with lastUsedAt once used), 401 after DELETE."""
    base, org = env["base"], company(env, "tokens")
    mine = owner_token(env, org)
    assert set(mine) >= {"id", "token", "baseUrl", "createdAt"} and mine.get("allowAnyDomain", False) is False, mine
    scim = Scim(mine["baseUrl"], mine["token"])
    listing = ok(call(base, "GET", f"/api/v1/organizations/{org.id}/scim/tokens", token=org.owner), 200)
    assert listing["success"] is True and mine["token"] not in json.dumps(listing), listing
    entry, = listing["data"]
    assert set(entry) >= {"id", "createdAt", "lastUsedAt", "allowAnyDomain"} and "token" not in entry, entry
    assert (entry["id"], entry["allowAnyDomain"]) == (mine["id"], False), entry
    ok(scim("GET", "/Users"), 200)
    entry, = ok(call(base, "GET", f"/api/v1/organizations/{org.id}/scim/tokens", token=org.owner), 200)["data"]
    assert entry["lastUsedAt"] is not None, entry

    # The operator's token: listed by both APIs (the org's tokens), never with a value.
    ops = operator_token(base, env["key"], org.id)
    assert set(ops) >= {"id", "token", "base_url", "created_at", "allow_any_domain"}, ops
    managed = ok(call(base, "GET", f"{M}/organizations/{org.id}/scim/tokens", token=env["key"]), 200)
    assert {t["id"] for t in managed["data"]} == {mine["id"], ops["id"]}, managed
    assert mine["token"] not in json.dumps(managed) and ops["token"] not in json.dumps(managed)
    listed = ok(call(base, "GET", f"/api/v1/organizations/{org.id}/scim/tokens", token=org.owner), 200)["data"]
    assert {t["id"] for t in listed} == {mine["id"], ops["id"]} and ops["token"] not in json.dumps(listed), listed
    ok(Scim(ops["base_url"], ops["token"])("GET", "/Groups"), 200)

    # Deleted: the value stops working at once, the other token goes on.
    # The user API answers a delete as it answers every other: 200 {"success": true, "data": null}.
    assert call(base, "DELETE", f"/api/v1/organizations/{org.id}/scim/tokens/{mine['id']}", token=org.owner) == (200, {"success": True, "data": None})
    scim_error(scim("GET", "/Users"), 401)
    ok(Scim(ops["base_url"], ops["token"])("GET", "/Users"), 200)
    assert call(base, "DELETE", f"{M}/organizations/{org.id}/scim/tokens/{ops['id']}", token=env["key"])[0] == 204
    scim_error(Scim(ops["base_url"], ops["token"])("GET", "/Users"), 401)
    assert ok(call(base, "GET", f"{M}/organizations/{org.id}/scim/tokens", token=env["key"]), 200)["data"] == []


# ------------------------------------------------------------------ the IdPs' sequences
def test_okta_provisioning_sequence(env):
    """Okta's requests (its SCIM 2.0 reference), in its order: lookup by userName with
    startIndex/count, create, import, profile PUT, deactivate and reactivate by a path-less
    replace, then Group Push (lookup, create, full-membership replace, remove-by-filter plus add,
    the name replace it sends with every membership update, rename) and the deletes. The group
    is mapped to `admin` by the operator: each membership change shows in the members list."""
    org = company(env, "okta")
    ok(map_groups(env, org, {"Test SCIMv2": "admin"}), 200)
    scim = owner_scim(env, org)
    email = f"test.user@{org.domain}"
    lookup = "/Users" + query(f'userName eq "{email}"', startIndex=1, count=100)

    # Does the user exist? Not yet: an empty ListResponse.
    empty = ok(scim("GET", lookup), 200)
    assert (empty["schemas"], empty["totalResults"], empty.get("Resources", [])) == ([LIST], 0, []), empty

    # Create: 201 with the resource, its Location and ETag; the password is never answered.
    status, user, headers = scim("POST", "/Users", okta_user(email))
    assert status == 201, user
    uid = user["id"]
    assert headers["content-type"].startswith(SCIM_JSON), headers
    assert (user["userName"], user["active"], user["externalId"]) == (email, True, "00ujl29u0le5T6Aj10h7"), user
    assert headers["location"] == user["meta"]["location"] == f"{scim.url}/Users/{uid}", (headers, user)
    assert user["meta"]["version"] and headers["etag"] == user["meta"]["version"], (headers, user)
    assert "password" not in user, user
    assert roles(env, org)[email] == "member"

    page = ok(scim("GET", lookup), 200)
    assert (page["totalResults"], [r["id"] for r in page["Resources"]]) == (1, [uid]), page
    got = ok(scim("GET", f"/Users/{uid}"), 200)
    assert (got["id"], got["userName"], got["active"]) == (uid, email, True), got

    # Import: pages of startIndex/count give the whole list, in one order.
    other_email = f"other.user@{org.domain}"
    other = ok(scim("POST", "/Users", okta_user(other_email, "00ujl29u0le5T6Aj10h8")), 201)["id"]
    everyone = ok(scim("GET", "/Users?startIndex=1&count=100"), 200)
    ids = [r["id"] for r in everyone["Resources"]]
    assert {uid, other} <= set(ids) and everyone["totalResults"] == len(ids), everyone
    paged = []
    for start in range(1, len(ids) + 1):
        one = ok(scim("GET", f"/Users?startIndex={start}&count=1"), 200)
        assert (one["totalResults"], one["startIndex"], one["itemsPerPage"]) == (len(ids), start, 1), one
        paged += [r["id"] for r in one["Resources"]]
    assert paged == ids

    # Profile update: Okta GETs, then PUTs the whole user back.
    put = dict(got, name={"givenName": "Another", "middleName": "Excited", "familyName": "User"}, meta={"resourceType": "User"})
    updated = ok(scim("PUT", f"/Users/{uid}", put), 200)
    assert (updated["id"], updated["userName"], updated["active"]) == (uid, email, True), updated

    # Deactivate: still answered, inactive, and no longer a member; reactivate: member again.
    patch(scim, f"/Users/{uid}", {"op": "replace", "value": {"active": False}})
    assert ok(scim("GET", f"/Users/{uid}"), 200)["active"] is False
    assert email not in roles(env, org)
    assert found(scim, f'userName eq "{email}"') == [uid]
    patch(scim, f"/Users/{uid}", {"op": "replace", "value": {"active": True}})
    assert ok(scim("GET", f"/Users/{uid}"), 200)["active"] is True
    assert roles(env, org)[email] == "member"

    # Group Push: lookup by displayName, create with no members.
    group_lookup = "/Groups" + query('displayName eq "Test SCIMv2"', startIndex=1, count=100)
    assert ok(scim("GET", group_lookup), 200)["totalResults"] == 0
    group = ok(scim("POST", "/Groups", {"schemas": [GROUP], "displayName": "Test SCIMv2", "members": []}), 201)
    gid = group["id"]
    assert group["displayName"] == "Test SCIMv2" and not group.get("members"), group
    assert [g["id"] for g in ok(scim("GET", group_lookup), 200)["Resources"]] == [gid]
    assert ok(scim("GET", f"/Groups/{gid}"), 200)["displayName"] == "Test SCIMv2"

    # A full push of the membership: the other user, only them, becomes admin.
    patch(scim, f"/Groups/{gid}", {"op": "replace", "path": "members", "value": [{"value": other, "display": other_email}]})
    assert (roles(env, org)[other_email], roles(env, org)[email]) == ("admin", "member")
    # Okta's membership update: remove one by a filter path, add another.
    patch(scim, f"/Groups/{gid}",
          {"op": "remove", "path": f'members[value eq "{other}"]'},
          {"op": "add", "path": "members", "value": [{"value": uid, "display": email}]})
    assert [m["value"] for m in ok(scim("GET", f"/Groups/{gid}"), 200).get("members", [])] == [uid]
    assert (roles(env, org)[email], roles(env, org)[other_email]) == ("admin", "member")
    # The name replace sent with each membership update changes nothing; a rename re-evaluates.
    patch(scim, f"/Groups/{gid}", {"op": "replace", "value": {"id": gid, "displayName": "Test SCIMv2"}})
    assert roles(env, org)[email] == "admin"
    patch(scim, f"/Groups/{gid}", {"op": "replace", "value": {"id": gid, "displayName": "Test SCIMv20"}})
    assert ok(scim("GET", f"/Groups/{gid}"), 200)["displayName"] == "Test SCIMv20"
    assert roles(env, org)[email] == "member"
    patch(scim, f"/Groups/{gid}", {"op": "replace", "value": {"id": gid, "displayName": "Test SCIMv2"}})
    assert roles(env, org)[email] == "admin"

    # Unlinking the pushed group deletes it: the role goes with it. Then the user.
    assert scim("DELETE", f"/Groups/{gid}")[0] == 204
    scim_error(scim("GET", f"/Groups/{gid}"), 404)
    assert roles(env, org)[email] == "member"
    assert scim("DELETE", f"/Users/{uid}")[0] == 204
    scim_error(scim("GET", f"/Users/{uid}"), 404)
    assert email not in roles(env, org) and found(scim, f'userName eq "{email}"') == []

    actions = audit_actions(env, org)
    assert {"scim.user.created", "scim.user.deactivated", "scim.group.created", "member.role_changed"} <= set(actions), actions
    # Each directory change names the token that made it.
    token_ids = {t["id"] for t in ok(call(env["base"], "GET", f"/api/v1/organizations/{org.id}/scim/tokens", token=org.owner), 200)["data"]}
    directory_actors = {e["actor"] for e in audit_entries(env, org) if e["action"].startswith("scim.user") or e["action"] == "member.role_changed"}
    assert directory_actors == {f"scim_token:{t}" for t in token_ids}, directory_actors


def test_entra_provisioning_sequence(env):
    """Microsoft Entra ID's requests (its SCIM endpoint tutorial, and the non-compliant forms its
    compatibility notes list): the empty lookup first, a create with the enterprise extension,
    lookups by userName and externalId, capitalised ops, `active` as the strings "False"/"True",
    a path-less replace with dotted and extension keys, groups created empty with Microsoft's
    schema URN, Add members, Remove by a filter path and by a value list, the deletes. The
    group's mapping is set by the owner in the user API, in another case than the group's name."""
    org = company(env, "entra")
    ok(map_groups(env, org, {"engineering leads": "admin"}, token=org.owner), 200)
    scim = owner_scim(env, org)
    tag = uuid.uuid4()
    user_name, email, external_id = f"Test_User_{tag}", f"Test_User_{uuid.uuid4()}@{org.domain}", str(uuid.uuid4())

    # Entra looks the user up first: an empty ListResponse, not a 404.
    empty = ok(scim("GET", "/Users?" + urllib.parse.urlencode({"filter": f'userName eq "{user_name}"'})), 200)
    assert (empty["schemas"], empty["totalResults"], empty.get("Resources", [])) == ([LIST], 0, []), empty

    created = ok(scim("POST", "/Users", {
        "schemas": [USER, ENTERPRISE],
        "externalId": external_id,
        "userName": user_name,
        "active": True,
        "emails": [{"primary": True, "type": "work", "value": email}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "roles": [],
        ENTERPRISE: {"employeeNumber": "701984", "costCenter": "4130", "organization": "Universal Studios", "division": "Theme Park",
                     "department": "Tour Operations", "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"}},
    }), 201)
    uid = created["id"]
    assert (created["userName"], created["externalId"], created["active"]) == (user_name, external_id, True), created
    # The member's address is the primary email (userName is no address here).
    assert roles(env, org)[email.lower()] == "member"
    assert found(scim, f'userName eq "{user_name}"') == [uid]
    assert found(scim, f'externalId eq "{external_id}"') == [uid]
    assert ok(scim("GET", f"/Users/{uid}"), 200)["id"] == uid

    # Attribute updates as Entra sends them, with and without the compliance flag.
    patch(scim, f"/Users/{uid}", {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"})
    patch(scim, f"/Users/{uid}", {"op": "replace", "value": {
        "displayName": "Bjfe", "name.givenName": "Kkom", "name.familyName": "Unua", f"{ENTERPRISE}:employeeNumber": "Aklq"}})
    assert roles(env, org)[email.lower()] == "member"

    # Disable as Entra does without the flag: the string "False"; enable with "True".
    patch(scim, f"/Users/{uid}", {"op": "Replace", "path": "active", "value": "False"})
    assert ok(scim("GET", f"/Users/{uid}"), 200)["active"] is False
    assert email.lower() not in roles(env, org)
    patch(scim, f"/Users/{uid}", {"op": "Replace", "path": "active", "value": "True"})
    assert ok(scim("GET", f"/Users/{uid}"), 200)["active"] is True
    assert roles(env, org)[email.lower()] == "member"

    # Groups are created empty; Entra looks them up without their members.
    group = ok(scim("POST", "/Groups", {
        "schemas": [GROUP, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
        "externalId": str(uuid.uuid4()), "displayName": "Engineering Leads", "meta": {"resourceType": "Group"}}), 201)
    gid = group["id"]
    assert not group.get("members"), group
    lookup = urllib.parse.urlencode({"excludedAttributes": "members", "filter": 'displayName eq "Engineering Leads"'})
    by_name = ok(scim("GET", f"/Groups?{lookup}"), 200)
    assert [g["id"] for g in by_name["Resources"]] == [gid], by_name
    assert ok(scim("GET", f"/Groups/{gid}?excludedAttributes=members"), 200)["id"] == gid

    add = {"op": "Add", "path": "members", "value": [{"$ref": None, "value": uid}]}
    patch(scim, f"/Groups/{gid}", add)
    assert roles(env, org)[email.lower()] == "admin"
    patch(scim, f"/Groups/{gid}", {"op": "Replace", "path": "displayName", "value": f"{tag}updatedDisplayName"})
    assert roles(env, org)[email.lower()] == "member"
    patch(scim, f"/Groups/{gid}", {"op": "Replace", "path": "displayName", "value": "ENGINEERING LEADS"})
    assert roles(env, org)[email.lower()] == "admin"
    # Remove with the flag: a filter path; without it: a value list.
    patch(scim, f"/Groups/{gid}", {"op": "remove", "path": f'members[value eq "{uid}"]'})
    assert roles(env, org)[email.lower()] == "member"
    patch(scim, f"/Groups/{gid}", add)
    assert roles(env, org)[email.lower()] == "admin"
    patch(scim, f"/Groups/{gid}", {"op": "Remove", "path": "members", "value": [{"value": uid}]})
    assert roles(env, org)[email.lower()] == "member"
    assert scim("DELETE", f"/Groups/{gid}")[0] == 204
    scim_error(scim("GET", f"/Groups/{gid}"), 404)

    # Soft delete (compliant form), then the hard delete 30 days later.
    patch(scim, f"/Users/{uid}", {"op": "replace", "path": "active", "value": False})
    assert ok(scim("GET", f"/Users/{uid}"), 200)["active"] is False
    assert scim("DELETE", f"/Users/{uid}")[0] == 204
    scim_error(scim("GET", f"/Users/{uid}"), 404)
    assert found(scim, f'externalId eq "{external_id}"') == [] and email.lower() not in roles(env, org)

    actions = audit_actions(env, org)
    assert {"scim.user.created", "scim.user.deactivated", "scim.group.created", "member.role_changed"} <= set(actions), actions


# ------------------------------------------------------------------ semantics
def test_deactivation_revokes_sessions_and_reactivation_restores_the_role(env):
    """A tenant user who already exists is linked, not created again; `active: false` revokes the
    sessions they had and takes the org out of their list; `active: true` gives back the role."""
    base, org = env["base"], company(env, "linked")
    email = f"dana@{org.domain}"
    dana = signup(env, email)
    dana_id = me(env, dana)["id"]
    scim = owner_scim(env, org)
    uid = ok(scim("POST", "/Users", okta_user(email)), 201)["id"]
    assert [u["id"] for u in tenant_users(env) if u["email"].lower() == email] == [dana_id]
    assert roles(env, org)[email] == "member" and org.id in org_ids(env, dana)
    ok(call(base, "PUT", f"/api/v1/organizations/{org.id}/members/{dana_id}", {"role": "admin"}, org.owner), 200)

    next_second_after(dana)
    patch(scim, f"/Users/{uid}", {"op": "replace", "value": {"active": False}})
    assert refused(call(base, "GET", "/api/v1/me", token=dana), 401)["code"] == "token_revoked"
    fresh = login(env, email)
    assert org.id not in org_ids(env, fresh) and email not in roles(env, org)
    assert call(base, "GET", f"/api/v1/organizations/{org.id}/members", token=fresh)[0] == 404
    assert ok(scim("GET", f"/Users/{uid}"), 200)["active"] is False

    patch(scim, f"/Users/{uid}", {"op": "replace", "value": {"active": True}})
    assert roles(env, org)[email] == "admin"
    assert org.id in org_ids(env, login(env, email))
    assert "scim.user.deactivated" in audit_actions(env, org)


def test_the_highest_mapped_role_wins_and_without_mappings_groups_leave_roles_alone(env):
    """Among a user's mapped groups the highest role wins, an unmapped group gives nothing; an org
    with no mappings keeps the roles its owner set, whatever its SCIM groups do."""
    mapped = company(env, "mapped")
    ok(map_groups(env, mapped, {"Admins": "admin", "Readers": "viewer"}), 200)
    scim = owner_scim(env, mapped)
    email = f"fay@{mapped.domain}"
    uid = ok(scim("POST", "/Users", okta_user(email)), 201)["id"]
    groups = {name: ok(scim("POST", "/Groups", {"schemas": [GROUP], "displayName": name}), 201)["id"] for name in ["Admins", "Readers", "Lunch"]}
    for gid in groups.values():
        patch(scim, f"/Groups/{gid}", {"op": "add", "path": "members", "value": [{"value": uid}]})
    assert roles(env, mapped)[email] == "admin"
    patch(scim, f"/Groups/{groups['Admins']}", {"op": "remove", "path": f'members[value eq "{uid}"]'})
    assert roles(env, mapped)[email] == "viewer"
    assert scim("DELETE", f"/Groups/{groups['Readers']}")[0] == 204
    assert roles(env, mapped)[email] == "member"

    plain = company(env, "plain")
    scim = owner_scim(env, plain)
    email = f"gil@{plain.domain}"
    uid = ok(scim("POST", "/Users", okta_user(email)), 201)["id"]
    gil = next(u["id"] for u in tenant_users(env) if u["email"].lower() == email)
    ok(call(env["base"], "PUT", f"/api/v1/organizations/{plain.id}/members/{gil}", {"role": "admin"}, plain.owner), 200)
    gid = ok(scim("POST", "/Groups", {"schemas": [GROUP], "displayName": "Admins"}), 201)["id"]
    patch(scim, f"/Groups/{gid}", {"op": "add", "path": "members", "value": [{"value": uid}]})
    patch(scim, f"/Groups/{gid}", {"op": "remove", "path": f'members[value eq "{uid}"]'})
    assert scim("DELETE", f"/Groups/{gid}")[0] == 204
    assert roles(env, plain)[email] == "admin"


def test_errors_are_rfc_7644_error_bodies(env):
    """Bad JSON 400 invalidSyntax, a bad filter 400 invalidFilter, a userName taken in another case
    or a group name taken 409 uniqueness, an unknown id 404; application/json is accepted too."""
    org = company(env, "errors")
    scim = owner_scim(env, org)
    scim_error(scim("POST", "/Users", raw=b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": '), 400, "invalidSyntax")
    scim_error(scim("GET", "/Users" + query('userName eq "unterminated')), 400, "invalidFilter")
    scim_error(scim("GET", "/Groups" + query("displayName zz")), 400, "invalidFilter")

    email = f"hal@{org.domain}"
    status, user, _ = scim("POST", "/Users", okta_user(email), content_type="application/json")
    assert status == 201, user
    scim_error(scim("POST", "/Users", okta_user(email.upper(), "another-external-id")), 409, "uniqueness")
    ok(scim("POST", "/Groups", {"schemas": [GROUP], "displayName": "Support"}), 201)
    scim_error(scim("POST", "/Groups", {"schemas": [GROUP], "displayName": "Support"}), 409, "uniqueness")
    assert found(scim, f'userName eq "{email}"') == [user["id"]]

    missing = str(uuid.uuid4())
    for method, path, body in [("GET", f"/Users/{missing}", None), ("PUT", f"/Users/{missing}", okta_user(f"ivy@{org.domain}")),
                               ("PATCH", f"/Users/{missing}", {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]}),
                               ("DELETE", f"/Users/{missing}", None), ("GET", f"/Groups/{missing}", None), ("DELETE", f"/Groups/{missing}", None)]:
        scim_error(scim(method, path, body), 404)


# ------------------------------------------------------------------ attacks
def test_a_token_works_only_at_its_own_orgs_base_url(env):
    """Another org's SCIM token, a revoked or made-up one, a user's session, the management key
    and no token at all get 401 at this org's base URL, and change nothing."""
    alpha, beta = company(env, "alpha"), company(env, "beta")
    scim, theirs = owner_scim(env, alpha), owner_token(env, beta)
    user = okta_user(f"jay@{alpha.domain}")
    for token in [theirs["token"], "scim_" + os.urandom(24).hex(), alpha.owner, env["key"]]:
        for method, path, body in [("GET", "/Users", None), ("POST", "/Users", user), ("GET", "/Groups", None),
                                   ("POST", "/Groups", {"schemas": [GROUP], "displayName": "Intruders"})]:
            scim_error(scim(method, path, body, token=token), 401)
    anonymous = Scim(scim.url, None)
    scim_error(anonymous("GET", "/Users"), 401)
    scim_error(anonymous("POST", "/Users", user), 401)
    assert found(scim, f'userName eq "jay@{alpha.domain}"') == [] and found(scim, 'displayName eq "Intruders"') == []
    assert set(roles(env, alpha)) == {f"owner@{alpha.domain}"}


def test_a_user_of_another_org_is_not_found_here(env):
    """A user and a group provisioned in another org answer 404 at this org's base URL, for every
    method, and cannot be put into this org's groups."""
    gamma, delta = company(env, "gamma"), company(env, "delta")
    here, there = owner_scim(env, gamma), owner_scim(env, delta)
    email = f"kim@{delta.domain}"
    uid = ok(there("POST", "/Users", okta_user(email)), 201)["id"]
    gid = ok(there("POST", "/Groups", {"schemas": [GROUP], "displayName": "Delta Staff"}), 201)["id"]
    deactivate = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]}
    rename = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"displayName": "Taken"}}]}
    for method, path, body in [("GET", f"/Users/{uid}", None), ("PUT", f"/Users/{uid}", okta_user(email)), ("PATCH", f"/Users/{uid}", deactivate),
                               ("DELETE", f"/Users/{uid}", None), ("GET", f"/Groups/{gid}", None), ("DELETE", f"/Groups/{gid}", None),
                               ("PATCH", f"/Groups/{gid}", rename)]:
        scim_error(here(method, path, body), 404)
    assert found(here, f'userName eq "{email}"') == [] and found(here, 'displayName eq "Delta Staff"') == []
    mine = ok(here("POST", "/Groups", {"schemas": [GROUP], "displayName": "Gamma Staff"}), 201)["id"]
    add = {"schemas": [PATCH_OP], "Operations": [{"op": "add", "path": "members", "value": [{"value": uid}]}]}
    status, body, _ = here("PATCH", f"/Groups/{mine}", add)
    assert 400 <= status < 500, (status, body)
    assert email not in roles(env, gamma) and not ok(here("GET", f"/Groups/{mine}"), 200).get("members")
    # Intact where it belongs.
    assert ok(there("GET", f"/Users/{uid}"), 200)["active"] is True and roles(env, delta)[email] == "member"
    assert ok(there("GET", f"/Groups/{gid}"), 200)["displayName"] == "Delta Staff"


def test_an_owner_cannot_make_a_token_for_any_domain(env):
    """Only the operator may allow any domain: an owner asking for it in the user API is refused
    or gets an ordinary token, which provisions only the org's verified domains."""
    base, org = env["base"], company(env, "greedy")
    path = f"/api/v1/organizations/{org.id}/scim/tokens"
    for body in [{"allowAnyDomain": True}, {"allow_any_domain": True}]:
        status, answer = call(base, "POST", path, body, org.owner)
        if status == 201:
            scim = Scim(answer["data"]["baseUrl"], answer["data"]["token"])
            scim_error(scim("POST", "/Users", okta_user(f"lee@{unique('elsewhere')}.test")), 403)
        else:
            assert 400 <= status < 500 and answer["success"] is False, answer
    assert not any(t["allowAnyDomain"] for t in ok(call(base, "GET", path, token=org.owner), 200)["data"])


def test_an_unverified_domain_is_refused_and_nothing_is_created(env):
    """An address of a domain the org has not verified (never claimed, a pending claim, another
    org's verified domain; from userName, the primary email or the first one) is 403 naming the
    domain, and creates no user, no member; the operator's token for any domain may."""
    base, org, other = env["base"], company(env, "careful"), company(env, "neighbour")
    pending = f"{unique('pending')}.test"
    ok(call(base, "POST", f"/api/v1/organizations/{org.id}/domains", {"domain": pending}, org.owner), 201)
    never = f"{unique('never')}.test"
    scim = owner_scim(env, org)
    users = len(tenant_users(env))
    for domain, body in [
            (never, okta_user(f"mo@{never}")),
            (pending, okta_user(f"ned@{pending}")),
            (other.domain, okta_user(f"oz@{other.domain}")),
            (never, {"schemas": [USER], "userName": f"pat@{never}"}),
            (never, {"schemas": [USER], "userName": f"quin@{org.domain}", "emails": [
                {"value": f"quin@{org.domain}", "type": "home"}, {"value": f"quin@{never}", "type": "work", "primary": True}]}),
            (pending, {"schemas": [USER], "userName": "rae", "emails": [{"value": f"rae@{pending}"}, {"value": f"rae@{org.domain}"}]})]:
        error = scim_error(scim("POST", "/Users", body), 403)
        assert domain in error.get("detail", ""), error
        assert found(scim, f'userName eq "{body["userName"]}"') == []
    assert len(tenant_users(env)) == users
    assert set(roles(env, org)) == {f"owner@{org.domain}"}
    assert not [a for a in audit_actions(env, org) if a.startswith("scim.user")]

    anywhere = operator_token(base, env["key"], org.id, allow_any_domain=True)
    created = ok(Scim(anywhere["base_url"], anywhere["token"])("POST", "/Users", okta_user(f"mo@{never}")), 201)
    assert created["userName"] == f"mo@{never}" and roles(env, org)[f"mo@{never}"] == "member"


def test_the_last_owner_is_never_deleted_deactivated_or_demoted(env):
    """The org's only owner, as a SCIM user: DELETE and every form of `active: false` are 409, a
    group mapped to a lower role leaves them owner, and their session goes on working."""
    org = company(env, "solo")
    scim = owner_scim(env, org)
    email = f"owner@{org.domain}"
    uid = scim_user_id(scim, email)
    scim_error(scim("DELETE", f"/Users/{uid}"), 409)
    for op in [{"op": "replace", "value": {"active": False}}, {"op": "Replace", "path": "active", "value": "False"},
               {"op": "replace", "path": "active", "value": False}]:
        scim_error(scim("PATCH", f"/Users/{uid}", {"schemas": [PATCH_OP], "Operations": [op]}), 409)
    assert ok(scim("GET", f"/Users/{uid}"), 200)["active"] is True
    ok(map_groups(env, org, {"Everyone": "viewer"}), 200)
    gid = ok(scim("POST", "/Groups", {"schemas": [GROUP], "displayName": "Everyone"}), 201)["id"]
    patch(scim, f"/Groups/{gid}", {"op": "add", "path": "members", "value": [{"value": uid}]})
    assert roles(env, org)[email] == "owner"
    assert ok(call(env["base"], "GET", f"/api/v1/organizations/{org.id}", token=org.owner), 200)["data"]["role"] == "owner"


def test_an_admin_manages_neither_scim_tokens_nor_group_mappings(env):
    """An admin of the org gets 403 making, listing or deleting SCIM tokens and setting
    groupRoleMappings (which could make a SCIM group an admin's way to more); the owner may."""
    base, org = env["base"], company(env, "staffed")
    admin = signup(env, f"adam@{org.domain}")
    ok(call(base, "POST", f"{M}/organizations/{org.id}/members", {"user_id": me(env, admin)["id"], "role": "admin"}, env["key"]), 201)
    path = f"/api/v1/organizations/{org.id}/scim/tokens"
    existing = owner_token(env, org)
    refused(call(base, "POST", path, token=admin), 403)
    refused(call(base, "GET", path, token=admin), 403)
    refused(call(base, "DELETE", f"{path}/{existing['id']}", token=admin), 403)
    refused(map_groups(env, org, {"Admins": "owner"}, token=admin), 403)
    assert [t["id"] for t in ok(call(base, "GET", path, token=org.owner), 200)["data"]] == [existing["id"]]
    ok(Scim(existing["baseUrl"], existing["token"])("GET", "/Users"), 200)
    ok(map_groups(env, org, {"Admins": "admin"}, token=org.owner), 200)
