#!/usr/bin/env bash
# stop.sh — stop the lab's nginx (if started with --nginx) and gunicorn by PID.
#
#   ./stop.sh [--timeout S]
#
# nginx: SIGTERM to the master in $LAB_DIR/nginx.pid, SIGKILL after S seconds.
# gunicorn: sends SIGTERM to the master (graceful: workers finish their request, up to 5 s),
# waits up to S seconds (default 15) for the master and its workers to exit, then
# SIGKILLs whichever of those same PIDs is still the lab's gunicorn.
set -euo pipefail
# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

STOP_TIMEOUT=15
while (($#)); do
  case "$1" in
    --timeout) STOP_TIMEOUT=${2:-}; shift 2 || die "--timeout needs a value" ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
need_int --timeout "$STOP_TIMEOUT" 1 120

if [[ -e $NGINX_PID_FILE ]]; then
  stop_pidfile nginx "$NGINX_PID_FILE" "$NGINX_CONF" "$STOP_TIMEOUT"
fi
rm -f "$NGINX_PORT_FILE"

if [[ ! -e $PID_FILE ]]; then
  say "not running (no $PID_FILE)"
  exit 0
fi
if ! master=$(lab_master_pid); then
  say "stale PID file (PID $(tr -d '[:space:]' <"$PID_FILE") is not the lab's gunicorn); removing it"
  rm -f "$PID_FILE" "$PORT_FILE"
  exit 0
fi

mapfile -t workers < <(lab_worker_pids "$master")
pids=("$master" "${workers[@]}")
say "stopping master PID $master (workers: ${workers[*]:-none})"
kill -TERM "$master" 2>/dev/null || true

alive() {
  local p out=()
  for p in "${pids[@]}"; do is_lab_gunicorn "$p" && out+=("$p"); done
  echo "${out[*]}"
}

deadline=$((SECONDS + STOP_TIMEOUT))
left=$(alive)
while [[ -n $left ]] && ((SECONDS < deadline)); do
  sleep 0.2
  left=$(alive)
done

if [[ -n $left ]]; then
  say "still running after ${STOP_TIMEOUT}s: $left; sending SIGKILL"
  # shellcheck disable=SC2086  # word-split the PID list on purpose
  kill -KILL $left 2>/dev/null || true
  sleep 0.5
  left=$(alive)
  [[ -z $left ]] || die "could not stop: $left"
fi

rm -f "$PID_FILE" "$PORT_FILE"
say "stopped"
