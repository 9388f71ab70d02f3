# shellcheck shell=bash disable=SC2034  # variables are used by the scripts that source this
# common.sh — helpers sourced by the lab's scripts (not run directly).
# Every path is relative to this directory (LAB_ROOT) or under $LAB_DIR.

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_DIR=${LAB_DIR:-/tmp/headroom-lab}
export LAB_DIR
# Keep Python's bytecode caches out of the source tree.
export PYTHONPYCACHEPREFIX="$LAB_DIR/pycache"

APP_DIR=$LAB_ROOT/app
PY=/usr/bin/python3          # Debian's python3: the one python3-django is installed for
GUNICORN=/usr/bin/gunicorn   # Debian's gunicorn
PID_FILE=$LAB_DIR/gunicorn.pid
PORT_FILE=$LAB_DIR/port
LOG_FILE=$LAB_DIR/gunicorn.log
MAX_SECONDS=300
NGINX_BIN=/usr/sbin/nginx
NGINX_CONF=$LAB_DIR/nginx/nginx.conf
NGINX_PID_FILE=$LAB_DIR/nginx.pid
NGINX_PORT_FILE=$LAB_DIR/nginx.port

PROG=${0##*/}
die() { echo "$PROG: error: $*" >&2; exit 1; }
say() { echo "$PROG: $*"; }

# need_int NAME VALUE MIN MAX: die unless VALUE is an integer in [MIN, MAX].
need_int() {
  [[ $2 =~ ^[0-9]+$ ]] || die "$1 must be a non-negative integer, got '$2'"
  (( 10#$2 >= $3 && 10#$2 <= $4 )) || die "$1 must be between $3 and $4, got $2"
}

# is_lab_gunicorn PID: true if PID is a gunicorn process serving this lab's app.
is_lab_gunicorn() {
  local pid=$1 cmd
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ $cmd == *gunicorn* && $cmd == *labproject.wsgi* ]]
}

# lab_master_pid: print the master PID from the PID file if it is alive and ours.
lab_master_pid() {
  local pid
  [[ -r $PID_FILE ]] || return 1
  pid=$(<"$PID_FILE")
  pid=${pid//[[:space:]]/}
  is_lab_gunicorn "$pid" || return 1
  echo "$pid"
}

# lab_worker_pids MASTER: the master's gunicorn children, one per line.
lab_worker_pids() {
  local pid
  for pid in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    is_lab_gunicorn "$pid" && echo "$pid"
  done
  return 0
}

# lab_port: the port start.sh recorded, else 8000.
lab_port() {
  local p=8000
  [[ -r $PORT_FILE ]] && p=$(<"$PORT_FILE")
  echo "${p//[[:space:]]/}"
}

# port_open PORT: true if something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  # shellcheck disable=SC2016  # $1 expands in the inner shell
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# free_port: print a TCP port that is free on 127.0.0.1 right now.
free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_port PORT SECONDS [PID]: wait until 127.0.0.1:PORT accepts connections;
# fail early if PID (the server being waited for) exits.
wait_port() {
  local port=$1 deadline=$((SECONDS + $2)) pid=${3:-}
  while ((SECONDS < deadline)); do
    port_open "$port" && return 0
    [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null && return 1
    sleep 0.1
  done
  return 1
}

# pid_matches PID WORD: true if PID is alive and its command line contains WORD
# (the scripts pass $LAB_DIR paths, so only this lab's processes match).
pid_matches() {
  local pid=$1 cmd
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ -n $cmd && $cmd == *"$2"* ]]
}

# read_pid FILE: print the PID stored in FILE (digits only), or fail.
read_pid() {
  local pid
  [[ -r $1 ]] || return 1
  pid=$(<"$1")
  pid=${pid//[[:space:]]/}
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  echo "$pid"
}

# stop_pidfile NAME FILE WORD [TIMEOUT] [SIGNAL]: send SIGNAL (default TERM) to the
# process in FILE if its command line contains WORD, wait up to TIMEOUT s (default
# 10), then SIGKILL; remove FILE.
stop_pidfile() {
  local name=$1 file=$2 word=$3 timeout=${4:-10} sig=${5:-TERM} pid deadline
  if ! pid=$(read_pid "$file"); then
    [[ -e $file ]] && rm -f "$file"
    return 0
  fi
  if ! pid_matches "$pid" "$word"; then
    say "$name: stale PID file (PID $pid is not ours); removing it"
    rm -f "$file"
    return 0
  fi
  kill -"$sig" "$pid" 2>/dev/null || true
  deadline=$((SECONDS + timeout))
  while pid_matches "$pid" "$word" && ((SECONDS < deadline)); do sleep 0.1; done
  if pid_matches "$pid" "$word"; then
    say "$name: PID $pid still running after ${timeout}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.3
    pid_matches "$pid" "$word" && die "$name: could not stop PID $pid"
  fi
  rm -f "$file"
  say "$name stopped (PID $pid)"
}

# lab_user: the unprivileged user that servers refusing root run as (postgres,
# pgbouncer). Override with LAB_OS_USER.
lab_user() {
  local u
  for u in ${LAB_OS_USER:-} postgres nobody; do
    id -u "$u" >/dev/null 2>&1 && { echo "$u"; return 0; }
  done
  return 1
}

# as_lab_user DIR CMD...: run CMD in DIR, as lab_user when root (servers such as
# postgres and pgbouncer refuse to run as root), else as ourselves.
as_lab_user() {
  local dir=$1
  shift
  if [[ $(id -u) -eq 0 ]]; then
    (cd "$dir" && runuser -u "$(lab_user)" -- "$@")
  else
    (cd "$dir" && "$@")
  fi
}

# usage: print the comment block at the top of the calling script.
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
