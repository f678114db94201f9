# Sourced by scripts/test.sh (and usable alone: `source scripts/test-postgres.sh; start_test_postgres`).
# A throwaway PostgreSQL cluster for the storage tests: Debian's server binaries, a data folder in
# /tmp owned by an unprivileged user (PostgreSQL refuses to run as root), listening on 127.0.0.1
# only, on a free port from 55432 up. Coffer's tests log in as a role that owns databases and may
# create them, never as a superuser, as a deployment would. The password is in a pgpass file
# (PGPASSFILE), not in the connection string, which is how operators are told to run Coffer.
#
# start_test_postgres exports COFFER_TEST_POSTGRES and PGPASSFILE and sets test_pg_port;
# stop_test_postgres stops the cluster and removes its folder (test.sh calls it from its EXIT trap).
# Tests run it with fsync off (a throwaway cluster need not survive a power cut); TEST_PG_DURABLE=1
# keeps fsync on, for benchmarks whose figure is bounded by PostgreSQL's commit rate.

test_pg_dir=""
test_pg_bin=""
test_pg_port=""

test_pg_run() {
  # As root, run the cluster's commands as the postgres user; otherwise as ourselves.
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$test_pg_user" -- "$@"
  else
    "$@"
  fi
}

start_test_postgres() {
  test_pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$test_pg_bin" ] || [ ! -x "$test_pg_bin/initdb" ] || [ ! -x "$test_pg_bin/pg_ctl" ]; then
    echo "Installing Debian package: postgresql"
    local sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    # The package's own cluster is not used; policy-rc.d 101 keeps the install from starting it.
    local policy=/usr/sbin/policy-rc.d made_policy=0
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null && "${sudo_cmd[@]}" chmod 755 "$policy" && made_policy=1
    fi
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq postgresql >/dev/null
    local installed=$?
    [ "$made_policy" -eq 0 ] || "${sudo_cmd[@]}" rm -f "$policy"
    [ "$installed" -eq 0 ] || { echo "apt-get install postgresql failed" >&2; return 1; }
    test_pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [ -x "$test_pg_bin/initdb" ] || { echo "no initdb under /usr/lib/postgresql/*/bin after installing postgresql" >&2; return 1; }
  fi

  test_pg_user="$(id -un)"
  if [ "$(id -u)" -eq 0 ]; then
    test_pg_user=postgres
    id "$test_pg_user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$test_pg_user" \
      || { echo "could not create the user postgres for the test cluster" >&2; return 1; }
  fi

  test_pg_dir="$(mktemp -d /tmp/coffer-pg.XXXXXX)" || return 1
  chmod 755 "$test_pg_dir"
  mkdir -p "$test_pg_dir/data"
  [ "$(id -u)" -ne 0 ] || chown -R "$test_pg_user" "$test_pg_dir/data"

  local port=55432 fsync=off
  [ "${TEST_PG_DURABLE:-0}" != 1 ] || fsync=on
  while [ "$port" -lt 55532 ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    port=$((port + 1))
  done

  # The cluster's superuser is the OS user (peer login on its own socket only); TCP needs a password.
  test_pg_run "$test_pg_bin/initdb" -D "$test_pg_dir/data" -U "$test_pg_user" --auth-local=peer --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$test_pg_dir/initdb.log" 2>&1 \
    || { cat "$test_pg_dir/initdb.log" >&2; echo "initdb failed" >&2; return 1; }
  test_pg_run "$test_pg_bin/pg_ctl" -D "$test_pg_dir/data" -l "$test_pg_dir/data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$test_pg_dir/data -c max_connections=200 -c fsync=$fsync" \
    start >/dev/null || { cat "$test_pg_dir/data/server.log" >&2; echo "starting the test PostgreSQL failed" >&2; return 1; }

  local password
  password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  test_pg_run "$test_pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$test_pg_dir/data" -p "$port" -d postgres \
    -c "CREATE ROLE coffer_test LOGIN CREATEDB NOSUPERUSER NOCREATEROLE PASSWORD '$password';" >/dev/null \
    || { echo "creating the test role failed" >&2; return 1; }

  printf '127.0.0.1:%s:*:coffer_test:%s\n' "$port" "$password" >"$test_pg_dir/pgpass"
  chmod 600 "$test_pg_dir/pgpass"
  export PGPASSFILE="$test_pg_dir/pgpass"
  test_pg_port=$port
  export COFFER_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=coffer_test;Database=postgres"
  echo "Test PostgreSQL ($("$test_pg_bin/postgres" --version | awk '{print $3}')) on 127.0.0.1:$port, role coffer_test (CREATEDB, not superuser)"
}

stop_test_postgres() {
  if [ -n "$test_pg_dir" ] && [ -d "$test_pg_dir/data" ]; then
    test_pg_run "$test_pg_bin/pg_ctl" -D "$test_pg_dir/data" -m fast -w stop >/dev/null 2>&1
    rm -rf "$test_pg_dir"
  fi
  test_pg_dir=""
}
