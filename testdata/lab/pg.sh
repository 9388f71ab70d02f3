#!/usr/bin/env bash
# pg.sh — a throwaway PostgreSQL 15 (and optionally pgbouncer) on 127.0.0.1.
#
#   ./pg.sh start [--port P] [--max-connections N] [--pgbouncer] [--pgbouncer-port P]
#                 [--pool-size N]
#   ./pg.sh stop [--timeout S]
#
#   --port P             postgres port (default: a free one)
#   --max-connections N  postgres max_connections (default 100, 5..1000)
#   --pgbouncer          also start pgbouncer (transaction pooling) in front of it
#   --pgbouncer-port P   pgbouncer's port (default: a free one); implies --pgbouncer
#   --pool-size N        pgbouncer's default_pool_size (default 5)
#
# start: initdb (first time) in $LAB_DIR/pg/data as an unprivileged user when run
# as root (LAB_OS_USER, else postgres, else nobody), with pg_stat_statements
# preloaded and created in database "lab", owned by superuser "lab". TCP on
# 127.0.0.1 only (no Unix socket). Authentication is trust, unless LAB_PG_PASSWORD
# is set: then scram-sha-256 with that password (give it to clients as
# PGPASSWORD). Prints the DSN, never with the password, and writes:
#   $LAB_DIR/pg.dsn  pg.port  pg.pid            postgres://lab@127.0.0.1:P/lab?sslmode=disable
#   $LAB_DIR/pgbouncer.dsn  pgbouncer.port  pgbouncer.pid   (with --pgbouncer;
#   the admin console is database "pgbouncer" on the same port, user lab)
# Logs: $LAB_DIR/pg/postgres.log, $LAB_DIR/pg/pgbouncer.log.
# stop: pgbouncer (SIGTERM), then postgres (SIGINT: fast shutdown), each by the PID
# recorded at start, SIGKILL after S seconds (default 15). Data stays in
# $LAB_DIR/pg unless it had to live outside $LAB_DIR (see below): then it is removed.
#
# When the unprivileged user cannot enter $LAB_DIR (e.g. a 0700 test directory),
# the data lives in a fresh /tmp/headroom-lab-pg.XXXXXX and $LAB_DIR/pg links to it.
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PGBIN=/usr/lib/postgresql/15/bin
PG_LINK=$LAB_DIR/pg
PG_PID_FILE=$LAB_DIR/pg.pid
PGB_PID_FILE=$LAB_DIR/pgbouncer.pid
PGBOUNCER_BIN=/usr/sbin/pgbouncer
READY_TIMEOUT=30

cmd=${1:-}
[[ $cmd == -h || $cmd == --help ]] && { usage; exit 0; }
[[ $cmd == start || $cmd == stop ]] || die "usage: pg.sh start|stop [options] (see --help)"
shift

PORT=""
MAXCONN=100
PGB=0
PGB_PORT=""
POOL=5
STOP_TIMEOUT=15
while (($#)); do
  case "$1" in
    --port) PORT=${2:-}; shift 2 || die "--port needs a value" ;;
    --max-connections) MAXCONN=${2:-}; shift 2 || die "--max-connections needs a value" ;;
    --pgbouncer) PGB=1; shift ;;
    --pgbouncer-port) PGB=1; PGB_PORT=${2:-}; shift 2 || die "--pgbouncer-port needs a value" ;;
    --pool-size) POOL=${2:-}; shift 2 || die "--pool-size needs a value" ;;
    --timeout) STOP_TIMEOUT=${2:-}; shift 2 || die "--timeout needs a value" ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

# pg_home: the real directory behind $LAB_DIR/pg.
pg_home() { readlink -f "$PG_LINK"; }

if [[ $cmd == stop ]]; then
  need_int --timeout "$STOP_TIMEOUT" 1 120
  if [[ ! -e $PG_LINK ]]; then
    rm -f "$PG_PID_FILE" "$PGB_PID_FILE"
    say "not running (no $PG_LINK)"
    exit 0
  fi
  home=$(pg_home)
  stop_pidfile pgbouncer "$PGB_PID_FILE" "$home/pgbouncer.ini" "$STOP_TIMEOUT"
  stop_pidfile postgres "$PG_PID_FILE" "$home/data" "$STOP_TIMEOUT" INT
  rm -f "$LAB_DIR"/pg.{port,dsn} "$LAB_DIR"/pgbouncer.{port,dsn}
  if [[ -L $PG_LINK ]]; then
    # Data outside $LAB_DIR: remove it, it would outlive the lab's directory.
    case "$home" in /tmp/headroom-lab-pg.*) rm -rf "$home" ;; esac
    rm -f "$PG_LINK"
  fi
  exit 0
fi

# ---- start
need_int --max-connections "$MAXCONN" 5 1000
need_int --pool-size "$POOL" 1 1000
[[ -z $PORT ]] || need_int --port "$PORT" 1 65535
[[ -z $PGB_PORT ]] || need_int --pgbouncer-port "$PGB_PORT" 1 65535
for b in "$PGBIN/postgres" "$PGBIN/initdb" "$PGBIN/pg_ctl" /usr/bin/psql; do
  [[ -x $b ]] || die "$b not found; run ./install.sh first (postgresql-15)"
done
((PGB)) && { [[ -x $PGBOUNCER_BIN ]] || die "$PGBOUNCER_BIN not found; run ./install.sh first"; }
[[ -r /usr/share/postgresql/15/extension/pg_stat_statements.control ]] \
  || die "pg_stat_statements not found; run ./install.sh first"

mkdir -p "$LAB_DIR"
if pid=$(read_pid "$PG_PID_FILE") && [[ -e $PG_LINK ]] && pid_matches "$pid" "$(pg_home)/data"; then
  die "postgres already running (PID $pid, port $(cat "$LAB_DIR/pg.port" 2>/dev/null)); run ./pg.sh stop first"
fi
[[ -n $PORT ]] || PORT=$(free_port)
port_open "$PORT" && die "something already listens on 127.0.0.1:$PORT; pick another --port"
if ((PGB)); then
  [[ -n $PGB_PORT ]] || PGB_PORT=$(free_port)
  [[ $PGB_PORT != "$PORT" ]] || die "--pgbouncer-port must differ from --port"
  port_open "$PGB_PORT" && die "something already listens on 127.0.0.1:$PGB_PORT; pick another --pgbouncer-port"
fi

t0=$SECONDS
root=0
[[ $(id -u) -eq 0 ]] && root=1
osuser=$(id -un)
if ((root)); then
  osuser=$(lab_user) || die "no unprivileged user to run postgres as (set LAB_OS_USER)"
fi

# Where the data lives: $LAB_DIR/pg, or a /tmp directory when the user cannot get in.
if [[ ! -e $PG_LINK ]]; then
  if ((root)) && ! runuser -u "$osuser" -- test -x "$LAB_DIR"; then
    home=$(mktemp -d /tmp/headroom-lab-pg.XXXXXX)
    ln -s "$home" "$PG_LINK"
  else
    mkdir -p "$PG_LINK"
  fi
fi
home=$(pg_home)
[[ -d $home ]] || die "$PG_LINK points to $home, which is not a directory"
((root)) && chown "$osuser:" "$home"
chmod 700 "$home"

export PGPASSWORD=${LAB_PG_PASSWORD:-}
[[ -n $PGPASSWORD ]] || unset PGPASSWORD

if [[ ! -s $home/data/PG_VERSION ]]; then
  initargs=(-D "$home/data" -U lab -E UTF8 --locale=C --no-sync --auth-local=trust)
  if [[ -n ${LAB_PG_PASSWORD:-} ]]; then
    (umask 077 && printf '%s\n' "$LAB_PG_PASSWORD" >"$home/pwfile")
    ((root)) && chown "$osuser:" "$home/pwfile"
    initargs+=(--auth-host=scram-sha-256 --pwfile="$home/pwfile")
  else
    initargs+=(--auth-host=trust)
  fi
  if ! as_lab_user "$home" "$PGBIN/initdb" "${initargs[@]}" >"$home/initdb.log" 2>&1; then
    rm -f "$home/pwfile"
    die "initdb failed:
$(tail -n 15 "$home/initdb.log")"
  fi
  rm -f "$home/pwfile"
  cat >>"$home/data/postgresql.conf" <<CONF

# headroom lab: loopback only, fast and disposable.
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
track_io_timing = on
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  if ((root)); then chown "$osuser:" "$home/data/postgresql.conf"; fi
fi

# From here on, any failure stops what this run started.
stop_on_failure() {
  local rc=$?
  ((rc == 0)) || "$0" stop >/dev/null 2>&1 || true
}
trap stop_on_failure EXIT

# Port and max_connections are given at each start (they may change between runs).
rm -f "$home/postgres.log"
as_lab_user "$home" touch "$home/postgres.log"
if ! as_lab_user "$home" "$PGBIN/pg_ctl" -D "$home/data" -l "$home/postgres.log" -w -t "$READY_TIMEOUT" \
  -o "-p $PORT -c max_connections=$MAXCONN" start >"$home/pg_ctl.log" 2>&1; then
  die "postgres did not start on 127.0.0.1:$PORT:
$(tail -n 15 "$home/postgres.log" "$home/pg_ctl.log" 2>/dev/null)"
fi
pid=$(head -n 1 "$home/data/postmaster.pid")
echo "$pid" >"$PG_PID_FILE"
wait_port "$PORT" 10 "$pid" || die "postgres (PID $pid) does not accept connections on 127.0.0.1:$PORT"

psql_lab() { # DB SQL
  /usr/bin/psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U lab -d "$1" -c "$2"
}
if [[ -z $(/usr/bin/psql -X -At -h 127.0.0.1 -p "$PORT" -U lab -d postgres \
  -c "SELECT 1 FROM pg_database WHERE datname = 'lab'" 2>"$home/psql.log") ]]; then
  psql_lab postgres "CREATE DATABASE lab" >>"$home/psql.log" 2>&1 \
    || { "$0" stop >/dev/null 2>&1 || true; die "CREATE DATABASE lab failed: $(tail -n 5 "$home/psql.log")"; }
fi
psql_lab lab "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >>"$home/psql.log" 2>&1 \
  || { "$0" stop >/dev/null 2>&1 || true; die "CREATE EXTENSION pg_stat_statements failed: $(tail -n 5 "$home/psql.log")"; }

dsn="postgres://lab@127.0.0.1:$PORT/lab?sslmode=disable"
echo "$PORT" >"$LAB_DIR/pg.port"
echo "$dsn" >"$LAB_DIR/pg.dsn"
say "postgres 15 up on 127.0.0.1:$PORT (PID $pid, max_connections $MAXCONN, run as $osuser) in $((SECONDS - t0)) s"
say "DSN $dsn"

if ((PGB)); then
  auth=trust
  # With a password, pgbouncer logs in to postgres with the one in userlist.txt.
  [[ -z ${LAB_PG_PASSWORD:-} ]] || auth=scram-sha-256
  (
    umask 077
    # userlist.txt escapes a double quote by doubling it.
    pw=${LAB_PG_PASSWORD:-}
    printf '"lab" "%s"\n' "${pw//\"/\"\"}" >"$home/userlist.txt"
    cat >"$home/pgbouncer.ini" <<CONF
; Written by pg.sh for this lab run; loopback only.
[databases]
lab = host=127.0.0.1 port=$PORT dbname=lab user=lab

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
unix_socket_dir =
auth_type = $auth
auth_file = $home/userlist.txt
admin_users = lab
stats_users = lab
pool_mode = transaction
default_pool_size = $POOL
max_client_conn = 500
ignore_startup_parameters = extra_float_digits
pidfile = $home/pgbouncer.pid
logfile = $home/pgbouncer.log
CONF
  )
  ((root)) && chown "$osuser:" "$home/userlist.txt" "$home/pgbouncer.ini"
  rm -f "$home/pgbouncer.pid"
  if ! as_lab_user "$home" "$PGBOUNCER_BIN" -q -d "$home/pgbouncer.ini" >"$home/pgbouncer-start.log" 2>&1; then
    "$0" stop >/dev/null 2>&1 || true
    die "pgbouncer did not start; stopped postgres too:
$(tail -n 15 "$home/pgbouncer-start.log" "$home/pgbouncer.log" 2>/dev/null)"
  fi
  bpid=""
  deadline=$((SECONDS + 10))
  while ((SECONDS < deadline)); do
    bpid=$(read_pid "$home/pgbouncer.pid" || true)
    [[ -n $bpid ]] && port_open "$PGB_PORT" && break
    sleep 0.1
  done
  if [[ -z $bpid ]] || ! port_open "$PGB_PORT"; then
    "$0" stop >/dev/null 2>&1 || true
    die "pgbouncer not listening on 127.0.0.1:$PGB_PORT; stopped postgres too:
$(tail -n 15 "$home/pgbouncer.log" 2>/dev/null)"
  fi
  echo "$bpid" >"$PGB_PID_FILE"
  bdsn="postgres://lab@127.0.0.1:$PGB_PORT/lab?sslmode=disable"
  echo "$PGB_PORT" >"$LAB_DIR/pgbouncer.port"
  echo "$bdsn" >"$LAB_DIR/pgbouncer.dsn"
  say "pgbouncer up on 127.0.0.1:$PGB_PORT (PID $bpid, transaction pooling, pool size $POOL)"
  say "pgbouncer DSN $bdsn (admin console: database pgbouncer)"
fi
