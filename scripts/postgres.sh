# Sourced by scripts/test.sh: a throwaway PostgreSQL cluster on a free loopback port, run as an
# unprivileged user (initdb refuses root). Exports ORGKIT_TEST_POSTGRES_URL; pg_stop removes it.
# PG_OPTIONS adds server settings (the load benchmark's auto_explain and memory).
pg_start() {
  local initdb pg_ctl
  initdb=$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -1 || true)
  pg_ctl=$(command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | tail -1 || true)
  if [ -z "$initdb" ] || [ -z "$pg_ctl" ]; then
    echo "postgres: initdb/pg_ctl not installed: PostgreSQL tests will be skipped"
    return 0
  fi
  PG_DIR=$(mktemp -d /tmp/orgkit-pg.XXXXXX)
  PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local run=()
  if [ "$(id -u)" = 0 ]; then
    id orgkit-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin orgkit-pg
    chown orgkit-pg "$PG_DIR"
    run=(runuser -u orgkit-pg --)
  fi
  mkdir -p "$PG_DIR/sock"
  if [ ${#run[@]} -gt 0 ]; then chown orgkit-pg "$PG_DIR/sock"; fi
  "${run[@]}" "$initdb" -D "$PG_DIR/data" -U postgres --auth=trust --no-sync -E UTF8 >/dev/null
  "${run[@]}" "$pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-p $PG_PORT -k $PG_DIR/sock -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 ${PG_OPTIONS:-}" start >/dev/null
  PG_RUN=("${run[@]}")
  PG_CTL=$pg_ctl
  export ORGKIT_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "postgres: $ORGKIT_TEST_POSTGRES_URL"
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    "${PG_RUN[@]}" "$PG_CTL" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
