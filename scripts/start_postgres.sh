#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the @pytest.mark.postgres tests and print its URL.
#
#   export COCOK_TEST_POSTGRES_URL=$(scripts/start_postgres.sh [DIR])
#   scripts/start_postgres.sh --stop DIR
#
# Installs PostgreSQL from Debian when it is missing (needs root), initdb's into DIR (default: a
# new temporary folder), starts it on a free local port with trust auth, creates the database.
# The URL goes to stdout; everything else to stderr.
set -euo pipefail

find_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; fi
}

as_owner() {  # initdb and postgres refuse to run as root
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-}" = "--stop" ]; then
  bin=$(find_bin)
  as_owner "$bin/pg_ctl" -D "$2/data" stop -m fast >&2
  exit 0
fi

bin=$(find_bin)
if [ -z "$bin" ]; then
  echo "installing postgresql from Debian…" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bin=$(find_bin)
fi
[ "$(id -u)" = "0" ] && ! id postgres >/dev/null 2>&1 && useradd --system --home /nonexistent postgres

dir=${1:-$(mktemp -d -t cocok-pg.XXXXXX)}
mkdir -p "$dir"
[ "$(id -u)" = "0" ] && chown postgres "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

as_owner "$bin/initdb" -D "$dir/data" -A trust -U cocok --encoding=UTF8 --no-sync >&2
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" >&2
"$bin/createdb" -h 127.0.0.1 -p "$port" -U cocok cocok_test 2>/dev/null \
  || psql -h 127.0.0.1 -p "$port" -U cocok -d postgres -qc 'CREATE DATABASE cocok_test' >&2
echo "postgres running in $dir (stop: $0 --stop $dir)" >&2
echo "postgresql+psycopg://cocok@127.0.0.1:$port/cocok_test"
