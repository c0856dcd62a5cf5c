#!/usr/bin/env bash
# Runs a throwaway PostgreSQL 15 cluster for tests, from the Debian packages, in a temporary
# directory, listening only on a Unix socket in that directory. Build/test layer.
#
#   scripts/pg-test.sh start [DIR]   creates and starts a cluster (DIR default: a new temp dir);
#                                    prints one line: the libpq connection string to use
#   scripts/pg-test.sh stop DIR      stops it and deletes DIR
#
# The server refuses to run as root, so when run as root the cluster belongs to an
# unprivileged system user: 'postgres' if it exists, else 'hogo-pg' (created with useradd),
# else 'nobody'. Exit status 77 means the PostgreSQL binaries are not installed.
set -eu

bindir=${HOGO_PG_BINDIR:-/usr/lib/postgresql/15/bin}
cmd=${1:-}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$owner" -- "$@"
  else
    "$@"
  fi
}

pick_owner() {
  owner=$(id -un)
  if [ "$(id -u)" -eq 0 ]; then
    if id postgres >/dev/null 2>&1; then
      owner=postgres
    elif id hogo-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin hogo-pg 2>/dev/null; then
      owner=hogo-pg
    else
      owner=nobody
    fi
  fi
}

case "$cmd" in
start)
  if [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
    echo "pg-test: PostgreSQL binaries not found in $bindir (install postgresql-15)" >&2
    exit 77
  fi
  dir=${2:-$(mktemp -d /tmp/hogo-pg-XXXXXX)}
  mkdir -p "$dir"
  pick_owner
  chmod 0755 "$dir"
  [ "$(id -u)" -eq 0 ] && chown "$owner" "$dir"
  as_owner "$bindir/initdb" -D "$dir/data" -U hogo --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=on -c max_connections=50" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  echo "host=$dir port=5432 user=hogo dbname=postgres"
  ;;
stop)
  dir=${2:?usage: pg-test.sh stop DIR}
  pick_owner
  if [ -d "$dir/data" ]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  case "$dir" in
  /tmp/hogo-pg-*) rm -rf "$dir" ;;
  *) rm -rf "$dir/data" "$dir/initdb.log" "$dir/server.log" ;;
  esac
  ;;
*)
  echo "usage: pg-test.sh start [DIR] | stop DIR" >&2
  exit 2
  ;;
esac
