#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine with the .NET SDK: installs what the tests
# need, builds, runs every test project, and ends with one line "N passed, N failed, N skipped".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

step() { printf '\n== %s\n' "$*"; }

# --- What the tests drive: the AWS CLI, SoftHSM2 (a software HSM) and OpenSSL (the independent check
# of Coffer's signatures and public keys) from Debian's packages.
need_packages=()
[ -x /usr/bin/aws ] || need_packages+=(awscli)
command -v softhsm2-util >/dev/null || need_packages+=(softhsm2)
command -v openssl >/dev/null || need_packages+=(openssl)
if [ ${#need_packages[@]} -gt 0 ]; then
  step "Installing Debian packages: ${need_packages[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq || { echo "apt-get update failed" >&2; exit 1; }
  "${sudo_cmd[@]}" apt-get install -y -qq "${need_packages[@]}" >/dev/null || { echo "apt-get install failed" >&2; exit 1; }
fi

# --- A SoftHSM2 token of the project's own, in .build/ (never the machine's /var/lib/softhsm).
softhsm="$root/.build/softhsm"
mkdir -p "$softhsm/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$softhsm" > "$softhsm/softhsm2.conf"
export SOFTHSM2_CONF="$softhsm/softhsm2.conf"
if ! softhsm2-util --show-slots 2>/dev/null | grep -q "coffer-test"; then
  softhsm2-util --init-token --free --label coffer-test --pin 1234 --so-pin 5678 >/dev/null || { echo "creating the SoftHSM2 token failed" >&2; exit 1; }
fi
export COFFER_TEST_PKCS11_LIBRARY="$(dpkg -L libsofthsm2 2>/dev/null | grep -m1 'libsofthsm2\.so$' || echo /usr/lib/softhsm/libsofthsm2.so)"
export COFFER_TEST_PKCS11_TOKEN=coffer-test COFFER_TEST_PKCS11_PIN=1234

# --- A throwaway PostgreSQL for the storage tests (installed from Debian if absent), stopped on exit.
step "Starting a throwaway PostgreSQL"
# shellcheck source=scripts/test-postgres.sh
source "$root/scripts/test-postgres.sh"
trap stop_test_postgres EXIT
start_test_postgres || { echo "starting PostgreSQL for the tests failed" >&2; exit 1; }

# --- Build: the CLI the way users get it (./coffer builds Release once), then the tests.
step "Building"
./coffer --help >/dev/null || { echo "building the coffer CLI failed" >&2; exit 1; }
# Without the commit id in each assembly's informational version, a commit alone does not make
# the next run rebuild the whole solution (a minute or two on two cores).
dotnet build Coffer.sln -nologo -v quiet -clp:ErrorsOnly -p:IncludeSourceRevisionInInformationalVersion=false || { echo "build failed" >&2; exit 1; }

# --- Run every test project and keep the runner's own summaries, and a TRX file a project for the timings.
step "Running tests"
log="$(mktemp)"
results="$(mktemp -d)"
dotnet test Coffer.sln --no-build -nologo --logger trx --results-directory "$results" 2>&1 | grep --line-buffered -v '^Results File: ' | tee "$log"
status=${PIPESTATUS[0]}

# --- The ten slowest tests, from the TRX files (duration="hh:mm:ss.fffffff" on each UnitTestResult).
step "Ten slowest tests"
durations="$(cat "$results"/*.trx 2>/dev/null | grep -o '<UnitTestResult [^>]*>' \
  | sed -nE 's/.* testName="([^"]*)".* duration="([0-9]+):([0-9]+):([0-9.]+)".*/\2 \3 \4 \1/p' \
  | sed -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g' \
  | awk '{ seconds = $1 * 3600 + $2 * 60 + $3; name = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", name); printf "%8.1f s  %s\n", seconds, name }' \
  | sort -rn)"
printf '%s\n' "$durations" | head -n 10
# Tests run side by side, so their durations add up to more than the wall time; the sum shows work done.
printf '%s\n' "$durations" | awk '$1 != "" { total += $1; n++ } END { printf "(%d tests, %.0f s of test time in all)\n", n, total }'
if [ "$status" -ne 0 ]; then
  # The console names a failed class cleanup but not its error; the TRX files keep every message.
  step "Failure messages (from the TRX files)"
  cat "$results"/*.trx 2>/dev/null | tr '\n' ' ' | grep -oE '<(Message|Text)>[^<]*</(Message|Text)>' \
    | sed -E -e 's/<\/?(Message|Text)>//g' -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g' \
    | cut -c1-600 | head -n 40
fi
rm -rf "$results"

passed=0 failed=0 skipped=0
while read -r f p s; do
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
done < <(sed -nE 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\1 \2 \3/p' "$log")
rm -f "$log"

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The runner failed without reporting a failed test (a crash, a build break): count it.
  failed=1
fi
if [ $((passed + failed)) -eq 0 ]; then
  echo "no test ran" >&2
  failed=1
fi

echo
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ]
