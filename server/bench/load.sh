#!/usr/bin/env bash
# The server's load benchmark, on demand (not part of scripts/test.sh): installs wrk, builds the
# release server and the floor (examples/floor.rs), starts a throwaway PostgreSQL with

#
#   bash server/bench/load.sh [table|two|thousand|million|all]   (default: all)
#
# table: the issue's scenario (a user in 200 orgs, an org of 1,000 members) on SQLite and PostgreSQL;
# two: the same on PostgreSQL with two instances on the one database, wrk driving both at once;
# thousand: 1,000 orgs on PostgreSQL; million: 1,000,000 orgs, 10,000,000 memberships, an org of
# 100,000 members, the user in 1,000 orgs (seeding takes minutes and a few GB of disk).
set -euo pipefail
cd "$(dirname "$0")/../.."
scale=${1:-all}

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v psql >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null; }
cargo build --release --quiet -p orgkit-server --bin orgkit-server --example floor
export ORGKIT_SERVER_BIN=$PWD/target/release/orgkit-server ORGKIT_FLOOR_BIN=$PWD/target/release/examples/floor

# shellcheck source=../../scripts/postgres.sh
source scripts/postgres.sh
PG_OPTIONS="-c shared_preload_libraries=auto_explain -c shared_buffers=1GB -c max_wal_size=8GB -c maintenance_work_mem=512MB -c checkpoint_timeout=30min"
pg_start
trap pg_stop EXIT
export ORGKIT_BENCH_POSTGRES_URL=$ORGKIT_TEST_POSTGRES_URL ORGKIT_BENCH_PG_LOG=$PG_DIR/log

echo "# orgkit-server load benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, $(git rev-parse --short HEAD)"
echo "(wrk -t1 -c32 -d6s --latency on loopback; the floor is a bare poem handler serving the same status and bytes)"
if [ "$scale" = table ] || [ "$scale" = all ]; then
  python3 server/bench/load.py --backend sqlite --orgs 200 --per-org 5 --big-org 1000 --user-orgs 200
  python3 server/bench/load.py --backend postgres --orgs 200 --per-org 5 --big-org 1000 --user-orgs 200
fi
if [ "$scale" = two ] || [ "$scale" = all ]; then
  python3 server/bench/load.py --backend postgres --orgs 200 --per-org 5 --big-org 1000 --user-orgs 200 --instances 2
fi
if [ "$scale" = thousand ] || [ "$scale" = all ]; then
  python3 server/bench/load.py --backend postgres --orgs 1000 --per-org 10 --big-org 1000 --user-orgs 1000
fi
if [ "$scale" = million ] || [ "$scale" = all ]; then
  python3 server/bench/load.py --backend postgres --orgs 1000000 --per-org 10 --big-org 100000 --user-orgs 1000
fi
