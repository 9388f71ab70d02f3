#!/usr/bin/env bash
# cache.sh — throwaway redis-server and memcached on 127.0.0.1.
#
#   ./cache.sh start [--redis-port P] [--memcached-port P] [--only redis|memcached]
#                    [--maxmemory-mb N]
#   ./cache.sh stop [--timeout S]
#
#   --redis-port P      redis port (default: a free one)
#   --memcached-port P  memcached port (default: a free one)
#   --only NAME         start just redis or just memcached
#   --maxmemory-mb N    memory limit of each (default 64, 1..4096): redis
#                       maxmemory (allkeys-lru), memcached -m
#
# start prints where each listens and writes, in $LAB_DIR:
#   redis.url redis.port redis.pid              redis://127.0.0.1:P/0
#   memcached.addr memcached.port memcached.pid 127.0.0.1:P
# For Django: LAB_CACHE=$(cat $LAB_DIR/redis.url) or
# LAB_CACHE=memcached://$(cat $LAB_DIR/memcached.addr) before ./start.sh.
# With LAB_REDIS_PASSWORD set, redis requires it (the URL printed never has it).
# No persistence: redis saves nothing; its files are in $LAB_DIR/redis/.
# stop: SIGTERM each by the PID recorded at start, SIGKILL after S s (default 10).
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

REDIS_BIN=/usr/bin/redis-server
MEMCACHED_BIN=/usr/bin/memcached
REDIS_DIR=$LAB_DIR/redis
REDIS_PID_FILE=$LAB_DIR/redis.pid
MC_PID_FILE=$LAB_DIR/memcached.pid
# What our servers' command lines contain (redis-server retitles itself "redis-server ADDR").
MC_WORD="$MEMCACHED_BIN -l 127.0.0.1 -p"
redis_word() {
  local p=${REDIS_PORT:-}
  [[ -n $p ]] || p=$(cat "$LAB_DIR/redis.port" 2>/dev/null || true)
  echo "redis-server 127.0.0.1:$p"
}

cmd=${1:-}
[[ $cmd == -h || $cmd == --help ]] && { usage; exit 0; }
[[ $cmd == start || $cmd == stop ]] || die "usage: cache.sh start|stop [options] (see --help)"
shift

REDIS_PORT=""
MC_PORT=""
ONLY=""
MAXMEM=64
STOP_TIMEOUT=10
while (($#)); do
  case "$1" in
    --redis-port) REDIS_PORT=${2:-}; shift 2 || die "--redis-port needs a value" ;;
    --memcached-port) MC_PORT=${2:-}; shift 2 || die "--memcached-port needs a value" ;;
    --only) ONLY=${2:-}; shift 2 || die "--only needs a value" ;;
    --maxmemory-mb) MAXMEM=${2:-}; shift 2 || die "--maxmemory-mb needs a value" ;;
    --timeout) STOP_TIMEOUT=${2:-}; shift 2 || die "--timeout needs a value" ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

if [[ $cmd == stop ]]; then
  need_int --timeout "$STOP_TIMEOUT" 1 120
  stop_pidfile redis "$REDIS_PID_FILE" "$(redis_word)" "$STOP_TIMEOUT"
  stop_pidfile memcached "$MC_PID_FILE" "$MC_WORD" "$STOP_TIMEOUT"
  rm -f "$LAB_DIR"/redis.{url,port} "$LAB_DIR"/memcached.{addr,port}
  exit 0
fi

case "$ONLY" in ""|redis|memcached) ;; *) die "--only must be redis or memcached" ;; esac
need_int --maxmemory-mb "$MAXMEM" 1 4096
[[ -z $REDIS_PORT ]] || need_int --redis-port "$REDIS_PORT" 1 65535
[[ -z $MC_PORT ]] || need_int --memcached-port "$MC_PORT" 1 65535
want_redis=1
want_mc=1
[[ $ONLY == memcached ]] && want_redis=0
[[ $ONLY == redis ]] && want_mc=0
((want_redis)) && { [[ -x $REDIS_BIN ]] || die "$REDIS_BIN not found; run ./install.sh first"; }
((want_mc)) && { [[ -x $MEMCACHED_BIN ]] || die "$MEMCACHED_BIN not found; run ./install.sh first"; }

mkdir -p "$LAB_DIR"
if ((want_redis)) && pid=$(read_pid "$REDIS_PID_FILE") && pid_matches "$pid" "redis-server 127.0.0.1:"; then
  die "redis already running (PID $pid); run ./cache.sh stop first"
fi
if ((want_mc)) && pid=$(read_pid "$MC_PID_FILE") && pid_matches "$pid" "$MC_WORD"; then
  die "memcached already running (PID $pid); run ./cache.sh stop first"
fi

# On any failure, stop what this run started.
started=()
stop_on_failure() {
  local rc=$? s
  ((rc == 0 || ${#started[@]} == 0)) && return 0
  for s in "${started[@]}"; do
    case "$s" in
      redis) stop_pidfile redis "$REDIS_PID_FILE" "$(redis_word)" 5 >/dev/null || true ;;
      memcached) stop_pidfile memcached "$MC_PID_FILE" "$MC_WORD" 5 >/dev/null || true ;;
    esac
  done
  rm -f "$LAB_DIR"/redis.{url,port} "$LAB_DIR"/memcached.{addr,port}
}
trap stop_on_failure EXIT
fail() { die "$1"; }

if ((want_redis)); then
  t0=$SECONDS
  [[ -n $REDIS_PORT ]] || REDIS_PORT=$(free_port)
  port_open "$REDIS_PORT" && die "something already listens on 127.0.0.1:$REDIS_PORT; pick another --redis-port"
  mkdir -p "$REDIS_DIR"
  (
    umask 077
    cat >"$REDIS_DIR/redis.conf" <<CONF
# Written by cache.sh for this lab run; loopback only, nothing saved.
bind 127.0.0.1
protected-mode yes
port $REDIS_PORT
daemonize no
dir $REDIS_DIR
logfile $REDIS_DIR/redis.log
save ""
appendonly no
maxmemory ${MAXMEM}mb
maxmemory-policy allkeys-lru
CONF
    [[ -z ${LAB_REDIS_PASSWORD:-} ]] || printf 'requirepass "%s"\n' "$LAB_REDIS_PASSWORD" >>"$REDIS_DIR/redis.conf"
  )
  : >"$REDIS_DIR/redis.log"
  # setsid: own session, so the server outlives this script; $! is redis itself.
  setsid "$REDIS_BIN" "$REDIS_DIR/redis.conf" </dev/null >>"$REDIS_DIR/redis.log" 2>&1 &
  pid=$!
  echo "$pid" >"$REDIS_PID_FILE"
  started+=(redis)
  wait_port "$REDIS_PORT" 10 "$pid" || fail "redis did not come up on 127.0.0.1:$REDIS_PORT:
$(tail -n 15 "$REDIS_DIR/redis.log")"
  pid_matches "$pid" "$(redis_word)" || fail "PID $pid is not the redis this script started"
  url="redis://127.0.0.1:$REDIS_PORT/0"
  echo "$REDIS_PORT" >"$LAB_DIR/redis.port"
  echo "$url" >"$LAB_DIR/redis.url"
  say "redis up on 127.0.0.1:$REDIS_PORT (PID $pid, maxmemory ${MAXMEM}mb) in $((SECONDS - t0)) s"
  say "redis URL $url"
fi

if ((want_mc)); then
  t0=$SECONDS
  [[ -n $MC_PORT ]] || MC_PORT=$(free_port)
  port_open "$MC_PORT" && fail "something already listens on 127.0.0.1:$MC_PORT; pick another --memcached-port"
  mcargs=(-l 127.0.0.1 -p "$MC_PORT" -U 0 -m "$MAXMEM" -c 1024)
  # memcached refuses to run as root unless told which user to become.
  [[ $(id -u) -eq 0 ]] && mcargs+=(-u "$(id -u memcache >/dev/null 2>&1 && echo memcache || echo nobody)")
  setsid "$MEMCACHED_BIN" "${mcargs[@]}" </dev/null >"$LAB_DIR/memcached.log" 2>&1 &
  pid=$!
  echo "$pid" >"$MC_PID_FILE"
  started+=(memcached)
  wait_port "$MC_PORT" 10 "$pid" || fail "memcached did not come up on 127.0.0.1:$MC_PORT:
$(tail -n 15 "$LAB_DIR/memcached.log")"
  pid_matches "$pid" "$MC_WORD $MC_PORT " || fail "PID $pid is not the memcached this script started"
  echo "$MC_PORT" >"$LAB_DIR/memcached.port"
  echo "127.0.0.1:$MC_PORT" >"$LAB_DIR/memcached.addr"
  say "memcached up on 127.0.0.1:$MC_PORT (PID $pid, -m $MAXMEM) in $((SECONDS - t0)) s"
  say "memcached address 127.0.0.1:$MC_PORT"
fi
