#!/usr/bin/env bash
# Starts a throw-away dev server (Release build, fresh data folder) and drives it with the load
# generator. Extra arguments go to the load generator, e.g. --connections 1 --connections 64.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$(mktemp -d)"
port="${PORT:-18080}"
export COFFER_DEV_ACCESS_KEY_ID=AKIALOADGENERATOR000
export COFFER_DEV_SECRET_ACCESS_KEY="$(head -c 30 /dev/urandom | base64)"
"$root/coffer" server --dev --data-dir "$data" --listen "127.0.0.1:$port" > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 600); do grep -q "Coffer listening" "$data/server.log" && break; sleep 0.2; done
dotnet run -c Release --project "$root/bench/Coffer.LoadGen" -- --url "http://127.0.0.1:$port" "$@"
