"""The event stream: every change is an event, listed by `GET /manage/v1/{tenant}/events` and pushed to
the tenant's webhook endpoints, each delivery verified by a receiver built on the `standardwebhooks`
package (the Standard Webhooks reference library): a scripted sequence of changes arrives complete and
in order per org; a failing receiver gets retries; a replay and a rotated secret; the server killed
with SIGKILL in the middle of deliveries loses none after a restart (at least once, no gap), on SQLite
and PostgreSQL; two instances on one PostgreSQL deliver each event once. And what a caller who is not
the operator can reach (nothing), and bad input (coded 4xx, nothing created)."""

import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from conftest import BACKENDS, NO_RATE_LIMIT, Server, call, free_port, key_and_certificate

M = "/manage/v1/default"


class Receiver:
    """A webhook receiver on a free loopback port: keeps every request (headers, raw body) in arrival
    order and answers what `answer(event_id, nth attempt of it)` says (200 unless told)."""

    def __init__(self, answer=None, delay=0.0):
        self.received, self.cond = [], threading.Condition()
        self.answer, self.delay = answer or (lambda event_id, nth: 200), delay
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver.cond:
                    nth = sum(1 for h, _ in receiver.received if h.get("webhook-id") == headers.get("webhook-id")) + 1
                    receiver.received.append((headers, body))
                    receiver.cond.notify_all()
                time.sleep(receiver.delay)
                status = receiver.answer(headers.get("webhook-id"), nth)
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"nope" if status >= 300 else b"ok")

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/hooks/orgkit"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def wait_for(self, done, timeout=60):
        """Waits until `done(received)` holds (a condition, not a duration: no timing is asserted)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not done(self.received):
                left = deadline - time.monotonic()
                assert left > 0, f"the receiver has {len(self.received)} deliveries, not what the test waits for"
                self.cond.wait(left)

    def ids(self):
        with self.cond:
            return [h["webhook-id"] for h, _ in self.received]

    def events(self, secret):
        """Every delivery, verified with `secret` by standardwebhooks (a bad signature raises)."""
        with self.cond:
            received = list(self.received)
        return [Webhook(secret).verify(body, headers) for headers, body in received]

    def close(self):
        self.http.shutdown()


def ok(status, body, expected):
    assert status == expected, (status, body)
    return body


def endpoint(base, key, url, events=None):
    body = {"url": url} if events is None else {"url": url, "events": events}
    return ok(*call(base, "POST", f"{M}/webhooks", body, key), 201)


def all_events(base, key, types=None, limit=7, alias=False):
    """Every event, page by page with `cursor` (or its alias `after`)."""
    out, cursor = [], None
    while True:
        query = f"?limit={limit}" + (f"&types={types}" if types else "") + (f"&{'after' if alias else 'cursor'}={cursor}" if cursor else "")
        page = ok(*call(base, "GET", f"{M}/events{query}", None, key), 200)
        out += page["data"]
        cursor = page.get("next_cursor")
        if not cursor:
            return out


def settled(base, key, webhook_id, timeout=60):
    """An endpoint's deliveries once none is pending any more (a receiver has a request before the
    server records its answer)."""
    deadline = time.monotonic() + timeout
    while True:
        deliveries = ok(*call(base, "GET", f"{M}/webhooks/{webhook_id}/deliveries?limit=100", None, key), 200)["data"]
        if all(d["status"] != "pending" for d in deliveries):
            return deliveries
        assert time.monotonic() < deadline, deliveries
        time.sleep(0.05)


@pytest.fixture(params=BACKENDS)
def orgkit(request):
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(request.param, tmp, extra_env=NO_RATE_LIMIT)
        server.start()
        try:
            yield server
        finally:
            server.stop()


def by_org(events):
    grouped = {}
    for e in events:
        grouped.setdefault(e["data"].get("organization_id"), []).append(e["id"])
    return grouped


def test_a_scripted_sequence_arrives_signed_complete_and_in_order_per_org(orgkit):
    base, key = orgkit.base, orgkit.key
    everything, members_only = Receiver(), Receiver()
    try:
        hook = endpoint(base, key, everything.url)
        assert hook["secret"].startswith("whsec_") and hook["events"] is None and hook["enabled"] is True
        narrow = endpoint(base, key, members_only.url, ["membership.deleted", "membership.created"])
        assert narrow["events"] == ["membership.created", "membership.deleted"]
        assert "secret" not in ok(*call(base, "GET", f"{M}/webhooks/{hook['id']}", None, key), 200)

        # The script: two orgs, members in and out, an invitation, a verified domain, a connection.
        a = ok(*call(base, "POST", f"{M}/organizations", {"name": "Acme", "slug": "acme"}, key), 201)["id"]
        b = ok(*call(base, "POST", f"{M}/organizations", {"name": "Beta", "slug": "beta"}, key), 201)["id"]
        ann = ok(*call(base, "POST", f"{M}/users", {"email": "ann@acme.test"}, key), 201)["id"]
        bob = ok(*call(base, "POST", f"{M}/users", {"email": "bob@beta.test"}, key), 201)["id"]
        ok(*call(base, "POST", f"{M}/organizations/{a}/members", {"user_id": ann, "role": "admin"}, key), 201)
        ok(*call(base, "POST", f"{M}/organizations/{b}/members", {"user_id": bob, "role": "owner"}, key), 201)
        ok(*call(base, "PATCH", f"{M}/organizations/{a}/members/{ann}", {"role": "member"}, key), 200)
        invitation = ok(*call(base, "POST", f"{M}/organizations/{a}/invitations", {"email": "cy@acme.test", "role": "viewer"}, key), 201)["id"]
        ok(*call(base, "DELETE", f"{M}/organizations/{a}/invitations/{invitation}", None, key), 204)
        ok(*call(base, "POST", f"{M}/organizations/{a}/domains", {"domain": "acme.test", "verified": True}, key), 201)
        ok(*call(base, "PATCH", f"{M}/organizations/{a}", {"name": "Acme Inc"}, key), 200)
        _, cert = key_and_certificate("idp.events.test")
        connection = {"name": "Okta", "entity_id": "https://idp.events.test", "sso_url": "https://idp.events.test/sso", "certificate": cert.decode()}
        conn = ok(*call(base, "POST", f"{M}/connections", connection, key), 201)["id"]
        ok(*call(base, "POST", f"{M}/organizations/{b}/connections", {"connection_id": conn}, key), 201)
        ok(*call(base, "DELETE", f"{M}/organizations/{a}/members/{ann}", None, key), 204)
        ok(*call(base, "DELETE", f"{M}/organizations/{b}", None, key), 204)
        script = [
            ("organization.created", a), ("organization.created", b), ("membership.created", a), ("membership.created", b),
            ("membership.updated", a), ("invitation.created", a), ("invitation.revoked", a), ("domain.verified", a),
            ("organization.updated", a), ("connection.created", None), ("connection.updated", b), ("membership.deleted", a),
            ("organization.deleted", b),
        ]

        # Pull: the same sequence, oldest first, paged with `cursor` and with its alias `after`.
        listed = all_events(base, key)
        assert [(e["type"], e["data"].get("organization_id")) for e in listed] == script
        assert all_events(base, key, alias=True, limit=4) == listed
        assert set(listed[0]) == {"id", "type", "createdAt", "data"}
        assert listed[0]["data"]["slug"] == "acme" and listed[0]["data"]["effective"]
        assert listed[2]["data"] == {**listed[2]["data"], "user_id": ann, "email": "ann@acme.test", "role": "admin", "organization_id": a}
        assert listed[4]["data"]["role"] == "member" and listed[11]["data"]["user_id"] == ann
        assert listed[6]["data"]["status"] == "revoked" and listed[7]["data"]["status"] == "verified"
        assert listed[10]["data"]["enabled"] is True and listed[10]["data"]["id"] == conn
        assert [e["type"] for e in all_events(base, key, types="membership.deleted,organization.deleted")] == ["membership.deleted", "organization.deleted"]

        # Push: every event, each verified by standardwebhooks, `webhook-id` the event's id, in order per org.
        everything.wait_for(lambda got: len(got) >= len(script))
        members_only.wait_for(lambda got: len(got) >= 3)
        pushed = everything.events(hook["secret"])
        assert sorted(e["id"] for e in pushed) == sorted(e["id"] for e in listed)
        assert everything.ids() == [e["id"] for e in pushed]
        assert by_org(pushed) == by_org(listed)
        assert pushed == [next(x for x in listed if x["id"] == e["id"]) for e in pushed], "the body is the event as listed"
        narrow_pushed = members_only.events(narrow["secret"])
        assert [e["type"] for e in narrow_pushed if e["data"]["organization_id"] == a] == ["membership.created", "membership.deleted"]
        assert {e["type"] for e in narrow_pushed} == {"membership.created", "membership.deleted"}
        with pytest.raises(WebhookVerificationError):
            members_only.events(hook["secret"])  # another endpoint's secret verifies nothing

        deliveries = settled(base, key, hook["id"])
        assert len(deliveries) == len(script) and {d["status"] for d in deliveries} == {"succeeded"}
        assert all(d["attempts"] == 1 and d["response_status"] == 200 and d["delivered_at"] for d in deliveries)
    finally:
        everything.close()
        members_only.close()


def test_a_failing_receiver_gets_retries_in_order_then_a_replay_and_a_rotated_secret(orgkit):
    base, key = orgkit.base, orgkit.key
    failed_once = set()

    def answer(event_id, nth):
        if nth == 1 and not failed_once:
            failed_once.add(event_id)
            return 503
        return 200

    receiver = Receiver(answer)
    try:
        hook = endpoint(base, key, receiver.url)
        org = ok(*call(base, "POST", f"{M}/organizations", {"name": "Retry", "slug": "retry"}, key), 201)["id"]
        ok(*call(base, "PATCH", f"{M}/organizations/{org}", {"name": "Retry 2"}, key), 200)
        receiver.wait_for(lambda got: len(got) >= 3)
        created, updated = (e["id"] for e in all_events(base, key))
        # The first event failed once and came again (about 5 s later) before the org's next event.
        assert receiver.ids() == [created, created, updated]
        first = settled(base, key, hook["id"])[0]
        assert first["status"] == "succeeded" and first["attempts"] == 2 and first["response_status"] == 200
        assert ok(*call(base, "GET", f"{M}/webhooks/{hook['id']}", None, key), 200)["failing_since"] is None

        replay = ok(*call(base, "POST", f"{M}/webhooks/{hook['id']}/deliveries/{first['id']}/replay", None, key), 202)
        assert replay["event_id"] == created and replay["status"] == "pending" and replay["id"] != first["id"]
        receiver.wait_for(lambda got: len(got) >= 4)
        assert receiver.ids()[3] == created

        old = hook["secret"]
        rotated = ok(*call(base, "POST", f"{M}/webhooks/{hook['id']}/secret/rotate", None, key), 200)
        assert rotated["secret"].startswith("whsec_") and rotated["secret"] != old and rotated["previous_secret_expires_at"]
        ok(*call(base, "DELETE", f"{M}/organizations/{org}", None, key), 204)
        receiver.wait_for(lambda got: len(got) >= 5)
        with receiver.cond:
            headers, body = receiver.received[4]
        assert len(headers["webhook-signature"].split(" ")) == 2, "both secrets sign during the overlap"
        assert Webhook(rotated["secret"]).verify(body, headers)["type"] == "organization.deleted"
        assert Webhook(old).verify(body, headers)["type"] == "organization.deleted"

        # Disabled: events keep being recorded, nothing is sent; enabled again, the backlog goes out.
        ok(*call(base, "PATCH", f"{M}/webhooks/{hook['id']}", {"enabled": False}, key), 200)
        ok(*call(base, "POST", f"{M}/organizations", {"name": "Later", "slug": "later"}, key), 201)
        assert ok(*call(base, "GET", f"{M}/webhooks/{hook['id']}/deliveries", None, key), 200)["data"][-1]["status"] == "pending"
        ok(*call(base, "PATCH", f"{M}/webhooks/{hook['id']}", {"enabled": True, "events": None}, key), 200)
        receiver.wait_for(lambda got: len(got) >= 6)
        with receiver.cond:
            headers, body = receiver.received[5]
        assert Webhook(rotated["secret"]).verify(body, headers)["data"]["slug"] == "later"
    finally:
        receiver.close()


def test_sigkill_in_the_middle_of_deliveries_loses_none(orgkit):
    """At least once, no gap: every event of the load reaches the receiver after a kill and a restart,
    and each org's events first arrive in their order."""
    base, key = orgkit.base, orgkit.key
    receiver = Receiver(delay=0.2)
    try:
        hook = endpoint(base, key, receiver.url)
        orgs = [ok(*call(base, "POST", f"{M}/organizations", {"name": f"Org {i}", "slug": f"org-{i}"}, key), 201)["id"] for i in range(4)]
        for round_ in range(10):
            for org in orgs:
                ok(*call(base, "PATCH", f"{M}/organizations/{org}", {"name": f"Org {org[-4:]} v{round_}"}, key), 200)
        receiver.wait_for(lambda got: len(got) >= 3)
        orgkit.kill()
        during = set(receiver.ids())
        orgkit.start()
        listed = all_events(orgkit.base, key, limit=100)
        assert len(listed) == 44
        receiver.wait_for(lambda got: {h["webhook-id"] for h, _ in got} >= {e["id"] for e in listed}, timeout=120)
        assert len(during) < 44, "the kill came in the middle of the deliveries"
        first_arrivals = list(dict.fromkeys(receiver.ids()))
        for org, ids in by_org(listed).items():
            assert [i for i in first_arrivals if i in ids] == ids, f"org {org}: its events in order"
        assert len(receiver.events(hook["secret"])) >= 44
    finally:
        receiver.close()


@pytest.mark.skipif("postgres" not in BACKENDS, reason="two instances share a PostgreSQL database")
def test_two_instances_on_one_postgres_deliver_each_event_once():
    receiver = Receiver(delay=0.02)
    with tempfile.TemporaryDirectory() as tmp:
        first = Server("postgres", tmp, extra_env=NO_RATE_LIMIT)
        first.start()
        second = Server("postgres", tmp, shared_database=first.database_url, public_url=first.base, key=first.key, extra_env=NO_RATE_LIMIT)
        second.start()
        try:
            hook = endpoint(first.base, first.key, receiver.url)
            for i in range(60):
                base = (first, second)[i % 2].base
                ok(*call(base, "POST", f"{M}/organizations", {"name": f"Twin {i}", "slug": f"twin-{i}"}, first.key), 201)
            receiver.wait_for(lambda got: len(got) >= 60)
            deliveries = settled(second.base, first.key, hook["id"])
            assert len(deliveries) == 60 and {d["status"] for d in deliveries} == {"succeeded"}
            assert {d["attempts"] for d in deliveries} == {1}, "no delivery was attempted twice"
            ids = receiver.ids()
            assert len(ids) == len(set(ids)) == 60, "each event delivered once"
            assert len(receiver.events(hook["secret"])) == 60
        finally:
            second.stop()
            first.stop()
            receiver.close()


def test_only_the_operator_reaches_the_event_stream_and_bad_input_changes_nothing(orgkit):
    base, key = orgkit.base, orgkit.key
    status, body = call(base, "POST", "/api/v1/auth/signup", {"email": "mallory@evil.test", "password": "correct horse battery"})
    assert status == 201, body
    user_token = body["data"]["accessToken"]
    ok(*call(base, "POST", "/api/v1/organizations", {"name": "Mallory", "slug": "mallory"}, user_token), 201)
    for method, path, body in [("GET", f"{M}/events", None), ("GET", f"{M}/webhooks", None),
                               ("POST", f"{M}/webhooks", {"url": "http://127.0.0.1:9/steal"})]:
        assert call(base, method, path, body, user_token)[0] == 401
        assert call(base, method, path, body, None)[0] == 401
    assert call(base, "GET", "/manage/v1/nosuch/events", None, key)[0] == 404, "a key answers for its own tenant only"

    bad = [
        ({"url": "ftp://h.test/x"}, "invalid_request"),
        ({"url": "https://user:pw@h.test/x"}, "invalid_request"),
        ({"url": "https://h.test/x", "events": []}, "invalid_request"),
        ({"url": "https://h.test/x", "events": ["user.hacked"]}, "invalid_request"),
        ({"url": "https://h.test/x", "secret": "whsec_mine"}, "unknown_field"),
        ({"events": ["membership.created"]}, None),
    ]
    for body, code in bad:
        status, answer = call(base, "POST", f"{M}/webhooks", body, key)
        assert 400 <= status < 500, (body, status, answer)
        if code:
            assert answer["error"]["code"] == code, (body, answer)
    assert ok(*call(base, "GET", f"{M}/webhooks", None, key), 200)["data"] == []
    status, answer = call(base, "GET", f"{M}/events?types=org.created", None, key)
    assert status == 400 and answer["error"]["code"] == "invalid_request"
    assert call(base, "GET", f"{M}/events?cursor=forged", None, key)[0] == 400
    for path in [f"{M}/webhooks/not-a-uuid", f"{M}/webhooks/00000000-0000-7000-8000-000000000000"]:
        assert call(base, "GET", path, None, key)[0] == 404
    hook = endpoint(base, key, "http://127.0.0.1:9/x")
    status, answer = call(base, "PATCH", f"{M}/webhooks/{hook['id']}", {"url": "gopher://x"}, key)
    assert status == 400 and answer["error"]["code"] == "invalid_request"
    assert ok(*call(base, "GET", f"{M}/webhooks/{hook['id']}", None, key), 200)["url"] == "http://127.0.0.1:9/x"
    assert call(base, "POST", f"{M}/webhooks/{hook['id']}/deliveries/00000000-0000-7000-8000-000000000000/replay", None, key)[0] == 404
    # The user's org creation was an event like any other: the operator sees it.
    assert [e["type"] for e in all_events(base, key)][:2] == ["organization.created", "membership.created"]
