#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on loopback for the storage tests and print the
# URL to use (ARXCONSOLE_TEST_PG_URL).  `pg_test_server.sh stop DIR` stops it.
# Installs Debian's postgresql when missing and running as root.  Never listens beyond
# 127.0.0.1.
set -euo pipefail
if [ "${1:-}" = stop ]; then
    dir=$2
    bin=$(cat "$dir/.bindir")
    data=$dir/data
    if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$bin/pg_ctl -D '$data' -m fast -w stop" >/dev/null 2>&1 || true
    else "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    exit 0
fi
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bindir" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "pg_test_server: installing postgresql" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
[ -n "$bindir" ] || { echo "pg_test_server: no PostgreSQL server binaries" >&2; exit 1; }
dir=$(mktemp -d /tmp/arx-pg.XXXXXX)
echo "$bindir" > "$dir/.bindir"
port=$(( 20000 + RANDOM % 20000 ))
pw=arxtest-$RANDOM$RANDOM
run() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
[ "$(id -u)" = 0 ] && chown -R postgres "$dir"
echo "$pw" > "$dir/.pw"
run "$bindir/initdb -D '$dir/data' -U postgres -A scram-sha-256 --pwfile='$dir/.pw' >/dev/null"
run "$bindir/pg_ctl -D '$dir/data' -w -l '$dir/log' -o \"-h 127.0.0.1 -p $port -k '$dir'\" start >/dev/null"
PGPASSWORD=$pw "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "create database arxtest" postgres >/dev/null
echo "postgresql+psycopg://postgres:$pw@127.0.0.1:$port/arxtest $dir"
