#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server (Debian's postgresql package) in a
# temporary directory on a free loopback port, and stops it afterwards, whatever happens.
# The command sees CASM_TEST_POSTGRES=postgres://postgres@127.0.0.1:PORT/postgres, and
# CASM_TEST_PG_STOP / CASM_TEST_PG_START: commands that stop and start that same server
# (for tests of what the service does while its database is down).
#   scripts/with-postgres.sh cargo test -p casm-feed
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "PostgreSQL is missing: scripts/setup.sh test installs it" >&2; exit 1; }
dir=$(mktemp -d /tmp/casm-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# initdb refuses to run as root: use the postgres account then.
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi
stop() {
  as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
# fsync stays on: the crash tests rely on it.
start="$bindir/pg_ctl -D $dir/data -l $dir/log -w start -o '-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200'"
as_pg sh -c "$start" >/dev/null
# The same start, and a fast stop (disconnects clients), as commands for the tests.
if [ "$(id -u)" = 0 ]; then pg="runuser -u postgres --"; else pg=""; fi
printf '#!/bin/sh\nexec %s sh -c "%s" >/dev/null\n' "$pg" "$start" > "$dir/pg-start"
printf '#!/bin/sh\nexec %s %s -D %s -m fast -w stop >/dev/null\n' "$pg" "$bindir/pg_ctl" "$dir/data" > "$dir/pg-stop"
chmod +x "$dir/pg-start" "$dir/pg-stop"
export CASM_TEST_PG_START="$dir/pg-start" CASM_TEST_PG_STOP="$dir/pg-stop"
export CASM_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres"
echo "[with-postgres] PostgreSQL $($bindir/postgres --version | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
