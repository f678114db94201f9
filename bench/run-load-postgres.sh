#!/usr/bin/env bash
# Encrypt on PostgreSQL: one node, then two nodes on the same database, against a throwaway
# PostgreSQL cluster with fsync on (scripts/test-postgres.sh with TEST_PG_DURABLE=1) and durable,
# hash-chained audit. pgbench measures the limit to compare with: how many single-row INSERT
# transactions PostgreSQL commits per second on this machine, at 1 and 16 clients. Every Coffer
# request commits its audit event (group-committed with the others in flight) before it is answered.
# Extra arguments go to the load generator; the default is Encrypt-32B at 16 and 64 connections.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$(mktemp -d)"
out="$root/.build/bench"
mkdir -p "$out"
ports=("${PORT:-18080}" "${PORT2:-18082}")

for project in Coffer.LoadGen; do
  dotnet build "$root/bench/$project/$project.csproj" -c Release -o "$out/$project" -nologo -v quiet > "$data/build-$project.log" 2>&1 \
    || { cat "$data/build-$project.log" >&2; exit 1; }
done
"$root/coffer" --help > /dev/null

# shellcheck source=scripts/test-postgres.sh
source "$root/scripts/test-postgres.sh"
servers=()
cleanup() {
  [ ${#servers[@]} -eq 0 ] || { kill "${servers[@]}" 2>/dev/null; wait "${servers[@]}" 2>/dev/null; }
  stop_test_postgres
  rm -rf "$data"
}
trap cleanup EXIT
TEST_PG_DURABLE=1 start_test_postgres
psql_as_coffer() { "$test_pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$test_pg_port" -U coffer_test "$@"; }
psql_as_coffer -d postgres -c "CREATE DATABASE coffer_bench;" -c "CREATE DATABASE commit_rate;"
psql_as_coffer -d commit_rate -c "CREATE TABLE commits (id BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ NOT NULL DEFAULT now(), body TEXT NOT NULL);"
printf "INSERT INTO commits (body) VALUES (repeat('x', 1000));\n" > "$data/commit.sql"
for clients in 1 16; do
  tps="$("$test_pg_bin/pgbench" -h 127.0.0.1 -p "$test_pg_port" -U coffer_test -n -c "$clients" -j 2 -T 10 -f "$data/commit.sql" commit_rate 2>/dev/null \
    | sed -nE 's/^tps = ([0-9.]+) .*/\1/p' | head -n 1)"
  printf 'PostgreSQL commit rate, %2d clients (pgbench, one 1 KB INSERT a transaction): %s commits/s\n' "$clients" "$tps"
done

export COFFER_DEV_ACCESS_KEY_ID=AKIALOADGENERATOR000
export COFFER_DEV_SECRET_ACCESS_KEY="$(head -c 30 /dev/urandom | base64)"
export COFFER_POSTGRES_CONNECTION="Host=127.0.0.1;Port=$test_pg_port;Username=coffer_test;Database=coffer_bench"
start_node() {
  local port=$1 log="$data/server-$1.log"
  "$root/coffer" server --dev --data-dir "$data/node" --storage postgres --listen "127.0.0.1:$port" > "$log" 2>&1 &
  servers+=($!)
  for _ in $(seq 1 900); do grep -q "listening" "$log" && return 0; sleep 0.2; done
  echo "run-load-postgres: no 'listening' in $log:" >&2; cat "$log" >&2; exit 1
}

args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--op Encrypt-32B --connections 16 --connections 64 --seconds 10 --first-warmup-seconds 20)
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
start_node "${ports[0]}"
echo "== One node on PostgreSQL"
dotnet "$out/Coffer.LoadGen/Coffer.LoadGen.dll" --url "http://127.0.0.1:${ports[0]}" --server-pid "${servers[0]}" --native-sign-seconds 0 \
  --json "$out/load-postgres-1node-$stamp.json" "${args[@]}"
# The second node shares the first one's data folder (the dev root key) and database.
start_node "${ports[1]}"
echo "== Two nodes on one PostgreSQL"
dotnet "$out/Coffer.LoadGen/Coffer.LoadGen.dll" --url "http://127.0.0.1:${ports[0]}" --url "http://127.0.0.1:${ports[1]}" --native-sign-seconds 0 \
  --json "$out/load-postgres-2nodes-$stamp.json" "${args[@]}"
