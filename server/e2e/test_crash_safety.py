"""Crash safety: orgkit-server is killed with SIGKILL in the middle of a write load (orgs created by users,
members added, re-roled and removed, invitations created, revoked and accepted, some accepted twice at once),
restarted on the same database, and checked, over several kill/restart rounds on each backend:

- every write the server acknowledged (2xx) is there after the restart: orgs, members with their last
  acknowledged role (or gone after an acknowledged removal), invitations pending/accepted/revoked;
  a write whose request was cut by the kill may have happened or not, either is accepted;
- every org has an owner, no membership lacks its user or its org, no invitation was accepted twice
  (never two 2xx for one invitation, one acceptance audited per accepted invitation, a second accept
  after the restart is refused with `invitation_used`).
"""

import http.client
import random
import tempfile
import threading
import time

import pytest

from conftest import BACKENDS, NO_RATE_LIMIT, Server, call

M = "/manage/v1/default"
PASSWORD = "correct horse battery"
WORKERS, INVITEES, ROUNDS, WRITES_PER_ROUND = 8, 6, 3, 250
CUT = (OSError, http.client.HTTPException, ValueError)  # the request died with the server: outcome unknown


class Ledger:
    """What the load did: for each key, the states it may be in. An acknowledged write sets its state;
    a write cut by the kill adds its state to the possible ones."""

    def __init__(self):
        self.cond = threading.Condition()
        self.allowed = {}   # ("org", id) | ("member", org, user) | ("inv", id) -> set of states
        self.accepts = {}   # invitation id -> (invitation token, invitee's access token)
        self.history = {}   # key -> [(method, state, "acked" | "cut")], for failure messages
        self.acked = 0
        self.double_accepts = 0
        self.cut = 0
        self.unexpected = []

    def write(self, key, state, method, path, body=None, token=None, ok=(200, 201, 204), refused=()):
        """Sends one write; answers (status, body), or None when the request was cut. Statuses
        other than `ok` and `refused` are errors of the load."""
        try:
            status, answer = call(self.base, method, path, body, token)
        except CUT:
            with self.cond:
                self.cut += 1
                if key:
                    self.allowed.setdefault(key, {None}).add(state)  # a new key: absent before
                    self.history.setdefault(key, []).append((method, state, "cut"))
            return None
        with self.cond:
            if status in ok:
                if key:
                    self.allowed[key] = {state}
                    self.history.setdefault(key, []).append((method, state, "acked"))
                self.acked += 1
                self.cond.notify_all()
            elif status not in refused:
                self.unexpected.append((method, path, status, answer))
        return status, answer


def worker(ledger, *args):
    try:
        load(ledger, *args)
    except Exception as e:  # a failure of the test itself: reported, and the wait for writes ends
        with ledger.cond:
            ledger.unexpected.append(repr(e))
            ledger.cond.notify_all()


def load(ledger, n, round_, owner, invitees, key):
    """Writes until the server dies: one new org per loop, and writes in it."""
    rnd = random.Random(f"{round_}-{n}")
    owner_token, owner_id = owner
    for i in range(10_000):
        o = ledger.write(None, None, "POST", "/api/v1/organizations",
                         {"name": f"Org {round_}-{n}-{i}", "slug": f"crash-{round_}-{n}-{i}"}, owner_token)
        if o is None or o[0] != 201:
            return
        org = o[1]["data"]["id"]
        with ledger.cond:
            ledger.allowed[("org", org)] = {"present"}
            ledger.allowed[("member", org, owner_id)] = {"owner"}
        mo = f"{M}/organizations/{org}"
        u = ledger.write(None, None, "POST", f"{M}/users", {"email": f"u-{round_}-{n}-{i}@crash.test", "name": "U"}, key)
        if u is None or u[0] != 201:
            return
        user = u[1]["id"]
        role = rnd.choice(["member", "admin"])
        if ledger.write(("member", org, user), role, "POST", f"{mo}/members", {"user_id": user, "role": role}, key) is None:
            return
        invitee_token, invitee_id, email = rnd.choice(invitees)
        inv = ledger.write(None, None, "POST", f"{mo}/invitations", {"email": email, "role": "member"}, key)
        if inv is None or inv[0] != 201:
            return
        inv_id, inv_token = inv[1]["id"], inv[1]["invitation_url"].rsplit("/", 1)[1]
        with ledger.cond:
            ledger.allowed[("inv", inv_id)] = {"pending"}
            ledger.accepts[inv_id] = (inv_token, invitee_token)
        steps = []
        luck = rnd.random()
        if luck < 0.5:
            steps.append(("accept", 2 if luck < 0.2 else 1))
        elif luck < 0.7:
            steps.append(("revoke", None))
        steps += [("role", "admin" if role == "member" else "member")] if rnd.random() < 0.5 else []
        steps += [("remove", None)] if rnd.random() < 0.3 else []
        for step, arg in steps:
            if step == "accept":
                if not accept(ledger, org, inv_id, inv_token, invitee_token, invitee_id, arg):
                    return
            elif step == "revoke":
                if ledger.write(("inv", inv_id), "revoked", "DELETE", f"{mo}/invitations/{inv_id}", token=key) is None:
                    return
            elif step == "role":
                if ledger.write(("member", org, user), arg, "PATCH", f"{mo}/members/{user}", {"role": arg}, key) is None:
                    return
            elif ledger.write(("member", org, user), None, "DELETE", f"{mo}/members/{user}", token=key) is None:
                return


def accept(ledger, org, inv_id, inv_token, invitee_token, invitee_id, times):
    """Accepts an invitation, `times` requests at once; at most one may succeed. False when cut."""
    barrier, results = threading.Barrier(times), []

    def one():
        barrier.wait()
        r = ledger.write(("inv", inv_id), "accepted", "POST", f"/api/v1/organizations/invitations/{inv_token}/accept",
                         {}, invitee_token, ok=(200,), refused=(409,) if times > 1 else ())
        if r is not None and r[0] == 200:
            with ledger.cond:
                ledger.allowed[("member", org, invitee_id)] = {"member"}
        elif r is None:
            with ledger.cond:
                ledger.allowed.setdefault(("member", org, invitee_id), {None}).add("member")
        results.append(r)

    threads = [threading.Thread(target=one) for _ in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if times > 1:
        with ledger.cond:
            ledger.double_accepts += 1
    wins = sum(1 for r in results if r and r[0] == 200)
    if wins > 1 or (wins == 0 and None not in results):
        with ledger.cond:
            ledger.unexpected.append(f"invitation {inv_id} accepted {wins} times by {times} requests: {results}")
    return all(r is not None for r in results)


def pages(base, path, key):
    items, cursor = [], None
    while True:
        status, page = call(base, "GET", path + (f"?cursor={cursor}" if cursor else ""), token=key)
        assert status == 200, page
        items += page["data"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def check(server, ledger):
    """Every key in one of its allowed states (which then becomes its only one), and the invariants."""
    base, key = server.base, server.key
    db_inv = dict(server.sql("SELECT id, CASE WHEN accepted_at IS NOT NULL THEN 'accepted' "
                             "WHEN revoked_at IS NOT NULL THEN 'revoked' ELSE 'pending' END FROM invitations"))
    orgs = {k[1] for k in ledger.allowed if k[0] == "org"}
    members, pending = {}, {}
    for org in orgs:
        status, body = call(base, "GET", f"{M}/organizations/{org}", token=key)
        assert status == 200, f"acknowledged org {org} lost: {status} {body}"
        members[org] = {m["user_id"]: m["role"] for m in pages(base, f"{M}/organizations/{org}/members", key)}
        pending[org] = {i["id"] for i in pages(base, f"{M}/organizations/{org}/invitations", key)}
        assert all(db_inv.get(i) == "pending" for i in pending[org]), (org, pending[org])
    checked = 0
    for k, states in ledger.allowed.items():
        if k[0] == "org":
            actual = "present"
        elif k[0] == "member":
            actual = members[k[1]].get(k[2])
        else:
            actual = db_inv.get(k[1])
            assert (actual == "pending") == any(k[1] in p for p in pending.values()), (k, actual)
        assert actual in states, f"{k}: {actual!r} after the restart, acknowledged/possible: {states}, {ledger.history.get(k)}"
        ledger.allowed[k] = {actual}
        checked += 1

    # Invariants over the whole database.
    assert server.sql("SELECT o.id FROM organizations o WHERE NOT EXISTS "
                      "(SELECT 1 FROM memberships m WHERE m.org_id = o.id AND m.role = 'owner')") == [], "org without owner"
    assert server.sql("SELECT m.org_id, m.user_id FROM memberships m LEFT JOIN users u ON u.id = m.user_id "
                      "LEFT JOIN organizations o ON o.id = m.org_id WHERE u.id IS NULL OR o.id IS NULL") == [], \
        "membership without user or org"
    assert server.sql("SELECT target FROM audit_log WHERE action = 'invitation.accepted' "
                      "GROUP BY target HAVING COUNT(*) > 1") == [], "invitation accepted twice"
    accepted = server.sql("SELECT i.id, i.org_id, i.accepted_by FROM invitations i WHERE i.accepted_at IS NOT NULL")
    audited = server.sql("SELECT target FROM audit_log WHERE action = 'invitation.accepted'")
    assert sorted(f"invitation:{i}" for i, _, _ in accepted) == sorted(t for (t,) in audited)
    assert server.sql("SELECT i.id FROM invitations i WHERE i.accepted_at IS NOT NULL AND NOT EXISTS (SELECT 1 "
                      "FROM memberships m WHERE m.org_id = i.org_id AND m.user_id = i.accepted_by)") == [], \
        "accepted invitation without its membership (the load never removes invitees)"
    # A second accept after the restart is refused (a sample, each a real request).
    for inv in [i for i, _, _ in accepted if i in ledger.accepts][:20]:
        inv_token, invitee_token = ledger.accepts[inv]
        status, body = call(base, "POST", f"/api/v1/organizations/invitations/{inv_token}/accept", {}, invitee_token)
        assert (status, body["error"]["code"]) == (409, "invitation_used"), (inv, status, body)
    return checked, len(accepted)


@pytest.mark.parametrize("backend", BACKENDS)
def test_acknowledged_writes_survive_sigkill_and_invariants_hold(backend):
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(backend, tmp, extra_env=NO_RATE_LIMIT)
        server.start()
        try:
            ledger = Ledger()
            ledger.base = server.base

            def signup(email):
                status, body = call(server.base, "POST", "/api/v1/auth/signup", {"email": email, "password": PASSWORD})
                assert status == 201, body
                token = body["data"]["accessToken"]
                return token, call(server.base, "GET", "/api/v1/me", token=token)[1]["data"]["id"]

            owners = [signup(f"owner{n}@crash.test") for n in range(WORKERS)]
            invitees = [(*signup(f"invitee{n}@crash.test"), f"invitee{n}@crash.test") for n in range(INVITEES)]
            kills = 0
            for round_ in range(ROUNDS):
                target = ledger.acked + WRITES_PER_ROUND
                threads = [threading.Thread(target=worker, args=(ledger, n, round_, owners[n], invitees, server.key))
                           for n in range(WORKERS)]
                for t in threads:
                    t.start()
                with ledger.cond:
                    reached = ledger.cond.wait_for(lambda: ledger.acked >= target or ledger.unexpected, timeout=60)
                time.sleep(random.uniform(0, 0.05))  # not only right after an acknowledgement
                server.kill()
                kills += 1
                for t in threads:
                    t.join(timeout=30)
                    assert not t.is_alive()
                assert reached, f"only {ledger.acked} acknowledged writes"
                assert ledger.unexpected == [], ledger.unexpected[:5]
                server.start()
                checked, accepted = check(server, ledger)
            print(f"\ncrash safety [{backend}]: {kills} kills, {ledger.acked} acknowledged writes, all present "
                  f"({checked} orgs/members/invitations checked, {ledger.cut} requests cut by the kills); "
                  f"{accepted} accepted invitations, {ledger.double_accepts} double accepts; invariants hold "
                  f"[{time.monotonic() - started:.1f}s]")
        finally:
            server.stop()
