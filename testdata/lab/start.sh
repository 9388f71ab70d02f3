#!/usr/bin/env bash
# start.sh — migrate the lab's db and start gunicorn (and nginx) in the background.
#
#   ./start.sh [--workers N] [--port P] [--threads T] [--preload] [--access-log]
#              [--nginx] [--nginx-port P]
#
#   --workers N    gunicorn worker processes (default 3)
#   --port P       listen on 127.0.0.1:P (default 8000); always loopback
#   --threads T    threads per worker (default 1 = sync workers; >1 = gthread)
#   --preload      load the app in the master before forking (workers share pages)
#   --access-log   write gunicorn's access log to $LAB_DIR/access.log (off by default),
#                  combined format plus the request time in seconds (%(L)s)
#   --nginx        also start nginx on 127.0.0.1 in front of gunicorn, logging
#                  $request_time $upstream_response_time to $LAB_DIR/nginx-access.log
#   --nginx-port P nginx's port (default: a free one); implies --nginx
#
# The database is SQLite in $LAB_DIR unless LAB_DATABASE_URL (or LAB_PG_PORT) names
# PostgreSQL; the cache is per-worker memory unless LAB_CACHE names memcached or
# redis; LAB_SQL_LOG=FILE logs every statement (see app/labproject/settings.py).
#
# Startup waits up to LAB_READY_TIMEOUT seconds (default 30) for /health/ and the workers.
#
# State lives in $LAB_DIR (default /tmp/headroom-lab): gunicorn.pid (master PID),
# gunicorn.log, port, lab.sqlite3; with --nginx: nginx.pid, nginx.port,
# nginx-access.log, nginx-error.log, nginx/. Stop with ./stop.sh.
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

WORKERS=3
PORT=8000
THREADS=1
PRELOAD=0
ACCESS_LOG=0
NGINX=0
NGINX_PORT=""
READY_TIMEOUT=${LAB_READY_TIMEOUT:-30}
# gunicorn's default access log format plus %(L)s, the request time in seconds.
ACCESS_FORMAT='%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(L)s'

while (($#)); do
  case "$1" in
    --workers) WORKERS=${2:-}; shift 2 || die "--workers needs a value" ;;
    --port) PORT=${2:-}; shift 2 || die "--port needs a value" ;;
    --threads) THREADS=${2:-}; shift 2 || die "--threads needs a value" ;;
    --preload) PRELOAD=1; shift ;;
    --access-log) ACCESS_LOG=1; shift ;;
    --nginx) NGINX=1; shift ;;
    --nginx-port) NGINX=1; NGINX_PORT=${2:-}; shift 2 || die "--nginx-port needs a value" ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
need_int --workers "$WORKERS" 1 64
need_int --port "$PORT" 1 65535
need_int --threads "$THREADS" 1 64
need_int LAB_READY_TIMEOUT "$READY_TIMEOUT" 1 300
[[ -z $NGINX_PORT ]] || need_int --nginx-port "$NGINX_PORT" 1 65535
((NGINX)) && { [[ -x $NGINX_BIN ]] || die "$NGINX_BIN not found; run ./install.sh first"; }

[[ -x $GUNICORN ]] || die "$GUNICORN not found; run ./install.sh first"
"$PY" -c 'import django' 2>/dev/null || die "$PY cannot import django; run ./install.sh first"

mkdir -p "$LAB_DIR"
if pid=$(lab_master_pid); then
  die "lab already running (master PID $pid, port $(lab_port)); run ./stop.sh first"
fi
rm -f "$PID_FILE"
port_open "$PORT" && die "something already listens on 127.0.0.1:$PORT; pick another --port"
if ((NGINX)); then
  [[ -n $NGINX_PORT ]] || NGINX_PORT=$(free_port)
  [[ $NGINX_PORT != "$PORT" ]] || die "--nginx-port must differ from --port"
  port_open "$NGINX_PORT" && die "something already listens on 127.0.0.1:$NGINX_PORT; pick another --nginx-port"
fi

say "migrating the database (log: $LAB_DIR/migrate.log)"
if ! (cd "$APP_DIR" && "$PY" manage.py migrate --noinput) >"$LAB_DIR/migrate.log" 2>&1; then
  die "migrate failed:
$(tail -n 20 "$LAB_DIR/migrate.log")"
fi

worker_class=sync
((THREADS > 1)) && worker_class=gthread
args=(
  --chdir "$APP_DIR"
  --bind "127.0.0.1:$PORT"
  --workers "$WORKERS"
  --worker-class "$worker_class"
  --threads "$THREADS"
  --timeout 60
  --graceful-timeout 5
  --pid "$PID_FILE"
  --log-level info
)
((PRELOAD)) && args+=(--preload)
((ACCESS_LOG)) && args+=(--access-logfile "$LAB_DIR/access.log" --access-logformat "$ACCESS_FORMAT")

echo "=== $(date '+%F %T') start.sh: ${args[*]}" >>"$LOG_FILE"
# setsid: detach from this terminal so the server outlives the script.
setsid "$GUNICORN" "${args[@]}" labproject.wsgi:application </dev/null >>"$LOG_FILE" 2>&1 &
launcher=$!

# Wait (bounded) for the PID file, /health/ and all workers.
url="http://127.0.0.1:$PORT/"
deadline=$((SECONDS + READY_TIMEOUT))
master=""
healthy=0
workers=()
while ((SECONDS < deadline)); do
  [[ -z $master ]] && master=$(lab_master_pid || true)
  if [[ -z $master ]] && ! kill -0 "$launcher" 2>/dev/null; then
    die "gunicorn exited during startup:
$(tail -n 20 "$LOG_FILE")"
  fi
  if [[ -n $master ]]; then
    if ((!healthy)) && curl -fsS --max-time 1 -o /dev/null "${url}health/" 2>/dev/null; then
      healthy=1
    fi
    mapfile -t workers < <(lab_worker_pids "$master")
    ((healthy && ${#workers[@]} == WORKERS)) && break
  fi
  sleep 0.2
done

if ((!healthy)); then
  # Clean up what we started before failing.
  for p in $master $launcher; do kill -TERM "$p" 2>/dev/null || true; done
  die "no answer from ${url}health/ within ${READY_TIMEOUT}s; stopped it. Log:
$(tail -n 20 "$LOG_FILE")"
fi
((${#workers[@]} == WORKERS)) || say "warning: ${#workers[@]} of $WORKERS workers up after ${READY_TIMEOUT}s"

echo "$PORT" >"$PORT_FILE"

# start_nginx: nginx on 127.0.0.1:$NGINX_PORT proxying to gunicorn; all its files in $LAB_DIR.
start_nginx() {
  local dir=$LAB_DIR/nginx pid=""
  mkdir -p "$dir"
  rm -f "$NGINX_PID_FILE"
  cat >"$NGINX_CONF" <<CONF
# Written by start.sh for this lab run; loopback only.
worker_processes 1;
pid $NGINX_PID_FILE;
error_log $LAB_DIR/nginx-error.log warn;
events { worker_connections 1024; }
http {
    log_format timed '\$remote_addr - \$remote_user [\$time_local] "\$request" \$status \$body_bytes_sent "\$http_referer" "\$http_user_agent" \$request_time \$upstream_response_time';
    access_log $LAB_DIR/nginx-access.log timed;
    client_body_temp_path $dir/client_body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    # Never buffer responses to disk: workers may not be able to enter \$LAB_DIR.
    proxy_max_temp_file_size 0;
    upstream lab_gunicorn {
        server 127.0.0.1:$PORT;
        keepalive 16;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        server_name 127.0.0.1 localhost;
        location / {
            proxy_pass http://lab_gunicorn;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_read_timeout 60s;
        }
    }
}
CONF
  if ! "$NGINX_BIN" -q -t -p "$dir/" -c "$NGINX_CONF" -e "$LAB_DIR/nginx-error.log" >"$LAB_DIR/nginx-start.log" 2>&1; then
    return 1
  fi
  "$NGINX_BIN" -p "$dir/" -c "$NGINX_CONF" -e "$LAB_DIR/nginx-error.log" </dev/null >>"$LAB_DIR/nginx-start.log" 2>&1 || return 1
  local deadline=$((SECONDS + READY_TIMEOUT))
  while ((SECONDS < deadline)); do
    pid=$(read_pid "$NGINX_PID_FILE" || true)
    [[ -n $pid ]] && pid_matches "$pid" "$NGINX_CONF" && port_open "$NGINX_PORT" && break
    sleep 0.1
  done
  [[ -n $pid ]] && curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$NGINX_PORT/health/" || return 1
  echo "$NGINX_PORT" >"$NGINX_PORT_FILE"
}

if ((NGINX)); then
  if ! start_nginx; then
    log=$(cat "$LAB_DIR/nginx-start.log" "$LAB_DIR/nginx-error.log" 2>/dev/null | tail -n 20)
    "$LAB_ROOT/stop.sh" >/dev/null 2>&1 || true
    die "nginx did not come up on 127.0.0.1:$NGINX_PORT; stopped the lab. Log:
$log"
  fi
fi

desc="$WORKERS $worker_class worker(s)"
((THREADS > 1)) && desc+=" x $THREADS threads"
((PRELOAD)) && desc+=", preloaded"
say "lab up at $url ($desc)"
say "master PID $master; worker PIDs: ${workers[*]}"
((ACCESS_LOG)) && say "gunicorn access log: $LAB_DIR/access.log"
if ((NGINX)); then
  say "nginx at http://127.0.0.1:$NGINX_PORT/ (PID $(read_pid "$NGINX_PID_FILE")), access log: $LAB_DIR/nginx-access.log"
fi
say "LAB_DIR=$LAB_DIR (gunicorn.pid, gunicorn.log, lab.sqlite3)"
