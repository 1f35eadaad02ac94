"""The server's load benchmark (run by server/bench/load.sh, on demand, never by the test command).

For each scale it seeds a fresh database with SQL (server-side generated rows, not the API), starts
the release orgkit-server on it, and drives each scenario with wrk on loopback; in the same run it
serves orgkit's own answer to that scenario from a bare poem handler (examples/floor.rs) and drives
that the same way, so every figure has its floor beside it. On PostgreSQL it then replays one
request of each scenario with auto_explain on and prints the plan of every query the request ran.

    python3 server/bench/load.py --backend postgres --orgs 1000000 --per-org 10 --big-org 100000 --user-orgs 1000

Environment: ORGKIT_SERVER_BIN and ORGKIT_FLOOR_BIN (release binaries), ORGKIT_BENCH_POSTGRES_URL
(a superuser URL of a cluster started with shared_preload_libraries=auto_explain) and
ORGKIT_BENCH_PG_LOG (that cluster's log file) for --backend postgres.
"""

import argparse
import base64
import contextlib
import json
import os
import re
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

PASSWORD = "bench password 1234"
WRK = ["wrk", "-t1", "-c32", "-d6s", "--latency"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def org_id(i):
    return f"00000000-0000-4000-8000-{i:012x}"


def user_id(i):
    return f"00000000-0000-4000-9000-{i:012x}"


# ------------------------------------------------------------------ seeding
def seed_statements(dialect, tenant, n):
    """The rows of one scale, as INSERT … SELECT over a generated series: `n.orgs` orgs (ids
    org_id(0..)), each with `n.per_org` members (the first its owner) drawn from `n.orgs` users,
    one more org (org_id(n.orgs)) of `n.big_org` members, and the benchmark user, owner of that
    org and member of the first `n.user_orgs` orgs."""
    now = int(time.time())
    if dialect == "postgres":
        series = lambda name, count: f"generate_series(0, {count} - 1) AS {name}(v)"  # noqa: E731
        hex12 = lambda expr: f"lpad(to_hex({expr}), 12, '0')"  # noqa: E731
    else:
        series = lambda name, count: f"(WITH RECURSIVE s(v) AS (SELECT 0 UNION ALL SELECT v + 1 FROM s WHERE v + 1 < {count}) SELECT v FROM s) AS {name}"  # noqa: E731
        hex12 = lambda expr: f"printf('%012x', {expr})"  # noqa: E731
    org = lambda expr: f"'00000000-0000-4000-8000-' || {hex12(expr)}"  # noqa: E731
    usr = lambda expr: f"'00000000-0000-4000-9000-' || {hex12(expr)}"  # noqa: E731
    users = max(n.orgs, n.big_org, n.per_org)
    yield (f"INSERT INTO users (id, tenant_id, email, created_at, updated_at) "
           f"SELECT {usr('u.v')}, '{tenant}', 'u' || u.v || '@bench.test', {now}, {now} FROM {series('u', users)}")
    yield (f"INSERT INTO organizations (id, tenant_id, name, slug, metadata, settings, created_at, updated_at) "
           f"SELECT {org('o.v')}, '{tenant}', 'Organization ' || o.v, 'org-' || o.v, '{{}}', '{{}}', {now}, {now} "
           f"FROM {series('o', n.orgs + 1)}")
    if n.per_org:
        yield (f"INSERT INTO memberships (org_id, user_id, role, created_at, updated_at) "
               f"SELECT {org('o.v')}, {usr(f'(o.v * {n.per_org} + k.v) % {users}')}, "
               f"CASE WHEN k.v = 0 THEN 'owner' ELSE 'member' END, {now}, {now} "
               f"FROM {series('o', n.orgs)} CROSS JOIN {series('k', n.per_org)}")
    yield (f"INSERT INTO memberships (org_id, user_id, role, created_at, updated_at) "
           f"SELECT {org(str(n.orgs))}, {usr('u.v')}, 'member', {now}, {now} FROM {series('u', n.big_org)}")


def seed(database_url, dialect, bench_user, n):
    tenant = sql(database_url, "SELECT id FROM tenants WHERE slug = 'default'")[0][0]
    statements = list(seed_statements(dialect, tenant, n))
    now = int(time.time())
    statements.append(f"INSERT INTO memberships (org_id, user_id, role, created_at, updated_at) "
                      f"VALUES ('{org_id(n.orgs)}', '{bench_user}', 'owner', {now}, {now})")
    statements += [f"INSERT INTO memberships (org_id, user_id, role, created_at, updated_at) "
                   f"SELECT id, '{bench_user}', 'member', {now}, {now} FROM organizations "
                   f"WHERE id < '{org_id(n.user_orgs)}' AND id LIKE '00000000-0000-4000-8000-%'"]
    started = time.monotonic()
    if dialect == "postgres":
        script = "SET synchronous_commit = off;\n" + ";\n".join(statements) + ";\nANALYZE;\n"
        subprocess.run(["psql", database_url, "-qX", "-v", "ON_ERROR_STOP=1"], input=script, text=True, check=True)
    else:
        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite://"))) as db:
            for statement in statements:
                db.execute(statement)
            db.commit()
            db.execute("ANALYZE")
    return time.monotonic() - started


def sql(database_url, query):
    if database_url.startswith("sqlite://"):
        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite://"))) as db:
            return [tuple(str(v) for v in row) for row in db.execute(query)]
    out = subprocess.run(["psql", database_url, "-qAtX", "-F", "\t", "-c", query], check=True, capture_output=True, text=True)
    return [tuple(line.split("\t")) for line in out.stdout.splitlines()]


# ------------------------------------------------------------------ processes and HTTP
@contextlib.contextmanager
def process(argv, env=None, ready_url=None):
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for _ in range(600):
            if proc.poll() is not None:
                raise SystemExit(f"{argv[0]} exited on start")
            try:
                urllib.request.urlopen(ready_url, timeout=2).close()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.05)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def send(base, method, path, data=None, headers=None):
    """(status, body bytes) of one request; an error status is an answer, not an exception."""
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def call(base, method, path, body=None, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    return send(base, method, path, None if body is None else json.dumps(body).encode(), headers)


# ------------------------------------------------------------------ wrk
def wrk_script(method, path, headers, body, start=0):
    """A wrk Lua script for one request; `%d` in the body becomes a per-request counter from
    `start`, so every created invitation has its own address."""
    lines = [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    if body is not None and "%d" in body:
        lines += [f"local n = {start}", "request = function()", "  n = n + 1",
                  f"  return wrk.format({json.dumps(method)}, {json.dumps(path)}, nil, string.format({json.dumps(body)}, n))",
                  "end"]
    else:
        lines += [f"wrk.method = {json.dumps(method)}"]
        if body is not None:
            lines += [f"wrk.body = {json.dumps(body)}"]
    return "\n".join(lines) + "\n"


def drive(base, scenario, tmp):
    return drive_all([base], scenario, tmp)


def drive_all(bases, scenario, tmp):
    """wrk against each base at once, the connections split between them (two instances behind
    a load balancer, without the balancer); req/s summed, the worst p50 and p99."""
    connections = f"-c{32 // len(bases)}"
    runs = []
    for i, base in enumerate(bases):  # each wrk counts from its own start: no address twice
        script = os.path.join(tmp, f"scenario-{i}.lua")
        with open(script, "w") as f:
            f.write(wrk_script(scenario["method"], scenario["path"], scenario["headers"], scenario.get("body"), start=i * 10_000_000))
        runs.append(subprocess.Popen([*(a if a != "-c32" else connections for a in WRK), "-s", script, base + scenario["path"]],
                                     stdout=subprocess.PIPE, text=True))
    parsed = [parse_wrk(run.communicate()[0]) for run in runs]
    return {"rps": sum(p["rps"] for p in parsed), "p50": max(p["p50"] for p in parsed),
            "p99": max(p["p99"] for p in parsed), "errors": sum(p["errors"] for p in parsed)}


def parse_wrk(out):
    def latency(label):
        match = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50%"),
        "p99": latency("99%"),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


# ------------------------------------------------------------------ scenarios
def scenarios(base, key, n, token):
    big = org_id(n.orgs)
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    # A cursor is the last id of the page before, base64url: here the middle of the big org.
    deep_cursor = base64.urlsafe_b64encode(user_id(n.big_org // 2).encode()).decode().rstrip("=")
    run_tag = os.urandom(3).hex()
    return [
        {"name": "list my orgs", "method": "GET", "path": "/api/v1/organizations?limit=100", "headers": auth},
        {"name": "members, first page", "method": "GET", "path": f"/api/v1/organizations/{big}/members?limit=100", "headers": auth},
        {"name": "members, deep page", "method": "GET", "path": f"/api/v1/organizations/{big}/members?limit=100&cursor={deep_cursor}", "headers": auth},
        {"name": "management org read", "method": "GET", "path": f"/manage/v1/default/organizations/{big}",
         "headers": {"Authorization": f"Bearer {key}"}},
        {"name": "org switch", "method": "POST", "path": "/api/v1/auth/token", "headers": auth,
         "body": json.dumps({"organization": big})},
        {"name": "invitation create", "method": "POST", "path": f"/api/v1/organizations/{big}/invitations", "headers": auth,
         "body": '{"email": "invitee-' + run_tag + '-%d@bench.test", "role": "member"}'},
        {"name": "login", "method": "POST", "path": "/api/v1/auth/login", "headers": {"Content-Type": "application/json"},
         "body": json.dumps({"email": "bench@bench.test", "password": PASSWORD})},
    ]


def sample(base, scenario, counter="0"):
    """One request of the scenario, as wrk sends it (`counter` in place of wrk's)."""
    body = scenario.get("body")
    if body is not None and "%d" in body:
        body = body.replace("%d", counter)
    return send(base, scenario["method"], scenario["path"], None if body is None else body.encode(), scenario["headers"])


# ------------------------------------------------------------------ plans
def plans(database_url, log_path, base, scenario_list):
    """One request per scenario with auto_explain logging every statement's plan; answers
    {scenario: [(query, plan)]}."""
    def set_min_duration(value):
        sql(database_url, f"ALTER SYSTEM SET auto_explain.log_min_duration = {value}")
        sql(database_url, "SELECT pg_reload_conf()")
        time.sleep(0.5)  # the reload reaches every backend asynchronously (not a timing assertion)

    set_min_duration(0)
    out = {}
    try:
        for scenario in scenario_list:
            start = os.path.getsize(log_path)
            sample(base, scenario, counter="plan")
            time.sleep(0.2)  # the backend writes its log line after answering
            with open(log_path, errors="replace") as f:
                f.seek(start)
                out[scenario["name"]] = parse_plans(f.read())
    finally:
        set_min_duration(-1)
    return out


def parse_plans(log):
    entries = re.split(r"^\S.*?LOG:\s+duration: [\d.]+ ms\s+plan:\n", log, flags=re.M)[1:]
    parsed = []
    for entry in entries:
        entry = re.split(r"^\S", entry, maxsplit=1, flags=re.M)[0]
        query = re.search(r"Query Text: (.*)", entry)
        plan = entry[query.end():] if query else entry
        parsed.append((query.group(1).strip() if query else "?", plan.rstrip()))
    return parsed


def plan_findings(plan):
    """What a plan on the hot path must not do at scale."""
    findings = [f"sequential scan of {t}" for t in re.findall(r"Seq Scan on (\w+)", plan)
                if t in {"organizations", "memberships", "users", "invitations", "audit_log"}]
    if re.search(r"Sort Method: external", plan):
        findings.append("sort spilled to disk")
    return findings


# ------------------------------------------------------------------ one scale
def run(args):
    tmp = tempfile.mkdtemp(prefix="orgkit-load-")
    if args.backend == "postgres":
        base_url = os.environ["ORGKIT_BENCH_POSTGRES_URL"]
        name = "orgkit_load_" + os.urandom(4).hex()
        sql(base_url, f"CREATE DATABASE {name}")
        database_url = base_url.rsplit("/", 1)[0] + "/" + name
    else:
        database_url = f"sqlite://{tmp}/orgkit.db"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, ORGKIT_DATABASE_URL=database_url, ORGKIT_BIND=f"127.0.0.1:{port}", ORGKIT_PUBLIC_URL=base,
               ORGKIT_OUTBOX_DIR=f"{tmp}/outbox", ORGKIT_RATE_LIMIT="off", RUST_LOG="warn")
    results = []
    with contextlib.ExitStack() as instances:
        server = instances.enter_context(process([os.environ["ORGKIT_SERVER_BIN"]], env, base + "/healthz"))
        key = json.loads(server.stdout.readline())["management_key"]
        bases = [base]
        for _ in range(args.instances - 1):  # more instances on the same database and public URL
            other_port = free_port()
            other = f"http://127.0.0.1:{other_port}"
            other_env = dict(env, ORGKIT_BIND=f"127.0.0.1:{other_port}")
            instances.enter_context(process([os.environ["ORGKIT_SERVER_BIN"]], other_env, other + "/healthz"))
            bases.append(other)
        status, answer = call(base, "POST", "/api/v1/auth/signup", {"email": "bench@bench.test", "password": PASSWORD})
        assert status == 201, answer
        bench_user = sql(database_url, "SELECT id FROM users WHERE email = 'bench@bench.test'")[0][0]
        seconds = seed(database_url, args.backend, bench_user, args)
        print(f"seeded {args.backend}: {args.orgs:,} orgs, {args.orgs * args.per_org + args.big_org + args.user_orgs + 1:,} "
              f"memberships, one org of {args.big_org:,} members, the user in {args.user_orgs:,} orgs, in {seconds:.0f} s", flush=True)
        status, answer = call(base, "POST", "/api/v1/auth/login", {"email": "bench@bench.test", "password": PASSWORD})
        assert status == 200, answer
        token = json.loads(answer)["data"]["accessToken"]
        chosen = [s for s in scenarios(base, key, args, token) if not args.only or s["name"] in args.only]
        for scenario in chosen:
            status, body = sample(base, scenario)
            answer_file = os.path.join(tmp, "answer.json")
            with open(answer_file, "wb") as f:
                f.write(body)
            mine = drive_all(bases, scenario, tmp)
            floor_port = free_port()
            floor_base = f"http://127.0.0.1:{floor_port}"
            with process([os.environ["ORGKIT_FLOOR_BIN"], f"127.0.0.1:{floor_port}", answer_file, str(status)], None, floor_base + "/"):
                floor = drive(floor_base, scenario, tmp)
            results.append((scenario["name"], status, len(body), mine, floor))
            print(row(*results[-1]), flush=True)
        if args.backend == "postgres" and os.environ.get("ORGKIT_BENCH_PG_LOG"):
            print_plans(plans(database_url, os.environ["ORGKIT_BENCH_PG_LOG"], base, chosen))
    return results


def row(name, status, size, mine, floor):
    errors = f" ({mine['errors']} answers not 2xx)" if mine["errors"] else ""
    return (f"| {name} | {status} | {size:,} | {mine['rps']:,.0f} | {mine['p50']:.2f} ms | {mine['p99']:.2f} ms "
            f"| {floor['rps']:,.0f} | {mine['rps'] / floor['rps']:.3f} |{errors}")


def print_plans(by_scenario):
    print("\n### Query plans (auto_explain, one request per scenario)\n")
    for name, entries in by_scenario.items():
        print(f"#### {name}: {len(entries)} queries\n")
        for query, plan in entries:
            findings = plan_findings(plan)
            print(f"```\n{query}\n{plan}\n```" + (f"\n**{'; '.join(findings)}**" if findings else "") + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--orgs", type=int, default=1000)
    parser.add_argument("--per-org", type=int, default=10)
    parser.add_argument("--big-org", type=int, default=1000)
    parser.add_argument("--user-orgs", type=int, default=200)
    parser.add_argument("--only", action="append", help="a scenario's name (repeatable); all by default")
    parser.add_argument("--instances", type=int, default=1, help="servers on the one database, driven at once")
    args = parser.parse_args()
    args.user_orgs = min(args.user_orgs, args.orgs)
    instances = f", {args.instances} instances" if args.instances > 1 else ""
    print(f"\n## {args.backend}, {args.orgs:,} orgs{instances}\n")
    print("| scenario | status | bytes | orgkit req/s | p50 | p99 | floor req/s | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    run(args)


if __name__ == "__main__":
    main()
