#!/usr/bin/env bash
# prom.sh — throwaway prometheus-node-exporter and Prometheus on 127.0.0.1.
#
#   ./prom.sh start [--node-port P] [--prometheus-port P] [--only node-exporter]
#                   [--scrape-interval S]
#   ./prom.sh stop [--timeout S]
#
#   --node-port P        node exporter's port (default: a free one)
#   --prometheus-port P  Prometheus's port (default: a free one)
#   --only node-exporter start just the exporter
#   --scrape-interval S  seconds between Prometheus scrapes (default 1, 1..60)
#
# Prometheus scrapes the node exporter and itself; its data (1 h retention) is in
# $LAB_DIR/prometheus/. start prints both URLs and writes, in $LAB_DIR:
#   node-exporter.url node-exporter.port node-exporter.pid   http://127.0.0.1:P/metrics
#   prometheus.url prometheus.port prometheus.pid            http://127.0.0.1:P/
# stop: SIGTERM each by the PID recorded at start, SIGKILL after S s (default 10).
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

NODE_BIN=/usr/bin/prometheus-node-exporter
PROM_BIN=/usr/bin/prometheus
PROM_DIR=$LAB_DIR/prometheus
NODE_PID_FILE=$LAB_DIR/node-exporter.pid
PROM_PID_FILE=$LAB_DIR/prometheus.pid
NODE_WORD="$NODE_BIN --web.listen-address=127.0.0.1:"
PROM_WORD="--config.file=$PROM_DIR/prometheus.yml"
READY_TIMEOUT=30

cmd=${1:-}
[[ $cmd == -h || $cmd == --help ]] && { usage; exit 0; }
[[ $cmd == start || $cmd == stop ]] || die "usage: prom.sh start|stop [options] (see --help)"
shift

NODE_PORT=""
PROM_PORT=""
ONLY=""
INTERVAL=1
STOP_TIMEOUT=10
while (($#)); do
  case "$1" in
    --node-port) NODE_PORT=${2:-}; shift 2 || die "--node-port needs a value" ;;
    --prometheus-port) PROM_PORT=${2:-}; shift 2 || die "--prometheus-port needs a value" ;;
    --only) ONLY=${2:-}; shift 2 || die "--only needs a value" ;;
    --scrape-interval) INTERVAL=${2:-}; shift 2 || die "--scrape-interval needs a value" ;;
    --timeout) STOP_TIMEOUT=${2:-}; shift 2 || die "--timeout needs a value" ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

if [[ $cmd == stop ]]; then
  need_int --timeout "$STOP_TIMEOUT" 1 120
  stop_pidfile prometheus "$PROM_PID_FILE" "$PROM_WORD" "$STOP_TIMEOUT"
  stop_pidfile node-exporter "$NODE_PID_FILE" "$NODE_WORD" "$STOP_TIMEOUT"
  rm -f "$LAB_DIR"/node-exporter.{url,port} "$LAB_DIR"/prometheus.{url,port}
  exit 0
fi

case "$ONLY" in ""|node-exporter) ;; *) die "--only must be node-exporter" ;; esac
need_int --scrape-interval "$INTERVAL" 1 60
[[ -z $NODE_PORT ]] || need_int --node-port "$NODE_PORT" 1 65535
[[ -z $PROM_PORT ]] || need_int --prometheus-port "$PROM_PORT" 1 65535
[[ -x $NODE_BIN ]] || die "$NODE_BIN not found; run ./install.sh first"
[[ -n $ONLY || -x $PROM_BIN ]] || die "$PROM_BIN not found; run ./install.sh first"
mkdir -p "$LAB_DIR"
if pid=$(read_pid "$NODE_PID_FILE") && pid_matches "$pid" "$NODE_WORD"; then
  die "node exporter already running (PID $pid); run ./prom.sh stop first"
fi

# On any failure, stop what this run started.
started=()
stop_on_failure() {
  local rc=$?
  ((rc == 0 || ${#started[@]} == 0)) && return 0
  stop_pidfile prometheus "$PROM_PID_FILE" "$PROM_WORD" 5 >/dev/null || true
  stop_pidfile node-exporter "$NODE_PID_FILE" "$NODE_WORD" 5 >/dev/null || true
  rm -f "$LAB_DIR"/node-exporter.{url,port} "$LAB_DIR"/prometheus.{url,port}
}
trap stop_on_failure EXIT

# wait_http URL PID: bounded wait for URL to answer 200 while PID lives.
wait_http() {
  local deadline=$((SECONDS + READY_TIMEOUT))
  while ((SECONDS < deadline)); do
    curl -fsS --max-time 2 -o /dev/null "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}

t0=$SECONDS
[[ -n $NODE_PORT ]] || NODE_PORT=$(free_port)
port_open "$NODE_PORT" && die "something already listens on 127.0.0.1:$NODE_PORT; pick another --node-port"
setsid "$NODE_BIN" "--web.listen-address=127.0.0.1:$NODE_PORT" </dev/null >"$LAB_DIR/node-exporter.log" 2>&1 &
pid=$!
echo "$pid" >"$NODE_PID_FILE"
started+=(node-exporter)
node_url="http://127.0.0.1:$NODE_PORT/metrics"
wait_http "$node_url" "$pid" || die "node exporter did not answer at $node_url:
$(tail -n 15 "$LAB_DIR/node-exporter.log")"
echo "$NODE_PORT" >"$LAB_DIR/node-exporter.port"
echo "$node_url" >"$LAB_DIR/node-exporter.url"
say "node exporter up at $node_url (PID $pid) in $((SECONDS - t0)) s"

[[ -n $ONLY ]] && exit 0

t0=$SECONDS
[[ -n $PROM_PORT ]] || PROM_PORT=$(free_port)
[[ $PROM_PORT != "$NODE_PORT" ]] || die "--prometheus-port must differ from --node-port"
port_open "$PROM_PORT" && die "something already listens on 127.0.0.1:$PROM_PORT; pick another --prometheus-port"
mkdir -p "$PROM_DIR/data"
cat >"$PROM_DIR/prometheus.yml" <<CONF
# Written by prom.sh for this lab run; loopback only.
global:
  scrape_interval: ${INTERVAL}s
  evaluation_interval: ${INTERVAL}s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$NODE_PORT']
  - job_name: prometheus
    static_configs:
      - targets: ['127.0.0.1:$PROM_PORT']
CONF
setsid "$PROM_BIN" "$PROM_WORD" "--storage.tsdb.path=$PROM_DIR/data" \
  --storage.tsdb.retention.time=1h "--web.listen-address=127.0.0.1:$PROM_PORT" \
  </dev/null >"$PROM_DIR/prometheus.log" 2>&1 &
pid=$!
echo "$pid" >"$PROM_PID_FILE"
started+=(prometheus)
prom_url="http://127.0.0.1:$PROM_PORT/"
wait_http "${prom_url}-/ready" "$pid" || die "Prometheus did not get ready at $prom_url:
$(tail -n 15 "$PROM_DIR/prometheus.log")"
echo "$PROM_PORT" >"$LAB_DIR/prometheus.port"
echo "$prom_url" >"$LAB_DIR/prometheus.url"
say "Prometheus up at $prom_url (PID $pid, scraping every ${INTERVAL}s) in $((SECONDS - t0)) s"
