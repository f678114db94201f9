#!/usr/bin/env bash
# Starts a throw-away dev server (Release build, fresh data folder on the embedded store) and the
# ceiling (bench/Coffer.Ceiling, a bare Kestrel endpoint), and drives both with the load generator,
# which prints the table and writes the JSON (default .build/bench/load-TIMESTAMP.json). Extra
# arguments go to the load generator, e.g. --seconds 5 --connections 1 --connections 64 --op Decrypt.
# PORT and CEILING_PORT choose the ports; NO_CEILING=1 measures Coffer alone (the long memory run).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$(mktemp -d)"
port="${PORT:-18080}"
ceiling_port="${CEILING_PORT:-18081}"
out="$root/.build/bench"
mkdir -p "$out"

# Built before anything starts, so that no build shares the cores with a measurement.
for project in Coffer.LoadGen Coffer.Ceiling; do
  dotnet build "$root/bench/$project/$project.csproj" -c Release -o "$out/$project" -nologo -v quiet > "$data/build-$project.log" 2>&1 \
    || { cat "$data/build-$project.log" >&2; exit 1; }
done

export COFFER_DEV_ACCESS_KEY_ID=AKIALOADGENERATOR000
export COFFER_DEV_SECRET_ACCESS_KEY="$(head -c 30 /dev/urandom | base64)"
# ./coffer execs dotnet, so $! is the server process itself, whose memory the generator reads.
"$root/coffer" server --dev --data-dir "$data" --listen "127.0.0.1:$port" > "$data/server.log" 2>&1 &
server=$!
dotnet "$out/Coffer.Ceiling/Coffer.Ceiling.dll" --urls "http://127.0.0.1:$ceiling_port" > "$data/ceiling.log" 2>&1 &
ceiling=$!
trap 'kill $server $ceiling 2>/dev/null; wait $server $ceiling 2>/dev/null; rm -rf "$data"' EXIT
for log in server.log ceiling.log; do
  for _ in $(seq 1 900); do grep -q "listening" "$data/$log" && break; sleep 0.2; done
  grep -q "listening" "$data/$log" || { echo "run-load: no 'listening' in $log:" >&2; cat "$data/$log" >&2; exit 1; }
done

json=()
case " $* " in *" --json "*) ;; *) json=(--json "$out/load-$(date -u +%Y%m%dT%H%M%SZ).json") ;; esac
ceiling_url=(--ceiling-url "http://127.0.0.1:$ceiling_port")
[ "${NO_CEILING:-0}" = 1 ] && ceiling_url=()
dotnet "$out/Coffer.LoadGen/Coffer.LoadGen.dll" --url "http://127.0.0.1:$port" "${ceiling_url[@]}" \
  --server-pid "$server" --ceiling-pid "$ceiling" "${json[@]}" "$@"
