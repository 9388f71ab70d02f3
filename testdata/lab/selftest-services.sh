# shellcheck shell=bash disable=SC2153  # PORT, HERE, LAB_DIR come from selftest.sh
# selftest-services.sh — part 2 of selftest.sh (sourced, not run): the app with
# PostgreSQL, pgbouncer, redis, memcached and nginx. Uses selftest.sh's check,
# ok, bad, get_json, ours and $HERE, $PORT, $LAB_DIR.

pg() { # SQL: one value from the lab database
  /usr/bin/psql -X -At -h 127.0.0.1 -p "$(cat "$LAB_DIR/pg.port")" -U lab -d lab -c "$1"
}
# wait_for DESCRIPTION SECONDS COMMAND...: poll COMMAND (bounded) until it succeeds.
wait_for() {
  local d=$1 end=$((SECONDS + $2))
  shift 2
  while ((SECONDS < end)); do
    if "$@" >/dev/null 2>&1; then ok "$d"; return 0; fi
    sleep 0.1
  done
  bad "$d (not within ${2}s)"
}
last_field_is_seconds() { # FILE: the last log line ends in a time like 0.012
  local line
  line=$(tail -n 1 "$1") || return 1
  [[ ${line##* } =~ ^[0-9]+\.[0-9]+$ ]] || { echo "last line: $line"; return 1; }
}
redis_stat() { # FIELD
  /usr/bin/redis-cli -p "$(cat "$LAB_DIR/redis.port")" info stats | tr -d '\r' | awk -F: -v f="$1" '$1 == f {print $2}'
}
memcached_stat() { # FIELD
  local port
  port=$(cat "$LAB_DIR/memcached.port")
  exec 5<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'stats\r\nquit\r\n' >&5
  timeout 2 cat <&5 | tr -d '\r' | awk -v f="$1" '$1 == "STAT" && $2 == f {print $3}'
  exec 5<&-
}
export -f redis_stat memcached_stat
record() { # NAME FILE WORD: remember a started server for the final check
  local pid
  pid=$(tr -d '[:space:]' <"$LAB_DIR/$2" 2>/dev/null) && ours+=("$pid=$3")
}

check "pg.sh start --pgbouncer --max-connections 20" "$HERE/pg.sh" start --pgbouncer --max-connections 20
check "pg.sh refuses a second start" bash -c "! '$HERE/pg.sh' start"
pg_home=$(readlink -f "$LAB_DIR/pg")
record postgres pg.pid "$pg_home/data"
record pgbouncer pgbouncer.pid "$pg_home/pgbouncer.ini"
check "pg_stat_statements is loaded" bash -c "[[ \$(/usr/bin/psql -X -At -h 127.0.0.1 -p \$(cat '$LAB_DIR/pg.port') -U lab -d lab -c 'SHOW shared_preload_libraries') == *pg_stat_statements* ]]"
check "max_connections is 20" bash -c "[[ \$(/usr/bin/psql -X -At -h 127.0.0.1 -p \$(cat '$LAB_DIR/pg.port') -U lab -d lab -c 'SHOW max_connections') == 20 ]]"
check "DSN has no password" bash -c "grep -qx 'postgres://lab@127.0.0.1:[0-9]*/lab?sslmode=disable' '$LAB_DIR/pg.dsn'"
check "cache.sh start" "$HERE/cache.sh" start
record redis redis.pid "redis-server 127.0.0.1:"
record memcached memcached.pid "memcached -l 127.0.0.1"

# --- PostgreSQL directly, redis cache, SQL log, nginx in front.
sql_log=$LAB_DIR/sql.log
check "start.sh --nginx --access-log on postgres + redis" \
  env LAB_DATABASE_URL="$(cat "$LAB_DIR/pg.dsn")" LAB_CACHE="$(cat "$LAB_DIR/redis.url")" LAB_SQL_LOG="$sql_log" \
  "$HERE/start.sh" --workers 2 --port "$PORT" --nginx --access-log
record gunicorn gunicorn.pid labproject.wsgi
record nginx nginx.pid "$LAB_DIR/nginx/nginx.conf"
for w in $(ps -o pid= --ppid "$(cat "$LAB_DIR/gunicorn.pid")"); do ours+=("$w=labproject.wsgi"); done
B="http://127.0.0.1:$(cat "$LAB_DIR/nginx.port" 2>/dev/null || echo 0)"
check "via nginx: /db/?n=30 on postgres makes 31 queries" get_json '/db/?n=30' '"queries": 31'
check "N+1 in pg_stat_statements (category lookup, >= 30 calls)" bash -c \
  "[[ \$(/usr/bin/psql -X -At -h 127.0.0.1 -p \$(cat '$LAB_DIR/pg.port') -U lab -d lab -c \"SELECT max(calls) FROM pg_stat_statements WHERE query LIKE '%lab_category%'\") -ge 30 ]]"
key=k$RANDOM
check "/cache/ fresh key misses (redis)" get_json "/cache/?key=$key" '"hit": false, "backend": "redis"'
check "/cache/ same key hits (redis)" get_json "/cache/?key=$key" '"hit": true'
check "redis counted the hit and the miss" bash -c "(( \$(redis_stat keyspace_hits) >= 1 && \$(redis_stat keyspace_misses) >= 1 ))"
(curl -fsS --max-time 10 "$B/hold/?ms=2000" >/dev/null 2>&1 &)
wait_for "/hold/ shows 'idle in transaction'" 5 bash -c \
  "[[ \$(/usr/bin/psql -X -At -h 127.0.0.1 -p \$(cat '$LAB_DIR/pg.port') -U lab -d lab -c \"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'headroom-lab' AND state = 'idle in transaction'\") -ge 1 ]]"
(curl -fsS --max-time 10 "$B/hold/?ms=2000&sleep=db" >/dev/null 2>&1 &)
wait_for "/hold/?sleep=db shows an active pg_sleep" 5 bash -c \
  "[[ \$(/usr/bin/psql -X -At -h 127.0.0.1 -p \$(cat '$LAB_DIR/pg.port') -U lab -d lab -c \"SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep%'\") -ge 1 ]]"
check "/hold/?lock=1 on postgres" get_json '/hold/?ms=50&lock=1' '"lock": true'
check "nginx access log ends in \$upstream_response_time" last_field_is_seconds "$LAB_DIR/nginx-access.log"
check "gunicorn access log ends in %(L)s" last_field_is_seconds "$LAB_DIR/access.log"
check "SQL log has the statements" grep -q 'FROM "lab_category"' "$sql_log"
check "load.sh via nginx 2 s /db/?n=10" bash -c "'$HERE/load.sh' --seconds 2 --connections 4 --port \$(cat '$LAB_DIR/nginx.port') --path '/db/?n=10' | grep -q '^Requests/sec:'"
sleep 2.2 # let the 2 s holds finish: stop.sh is graceful
check "stop.sh (nginx and gunicorn)" "$HERE/stop.sh"

# --- pgbouncer and memcached.
check "start.sh on pgbouncer + memcached" \
  env LAB_DATABASE_URL="$(cat "$LAB_DIR/pgbouncer.dsn")" LAB_CACHE="memcached://$(cat "$LAB_DIR/memcached.addr")" \
  "$HERE/start.sh" --workers 2 --port "$PORT"
record gunicorn gunicorn.pid labproject.wsgi
for w in $(ps -o pid= --ppid "$(cat "$LAB_DIR/gunicorn.pid")"); do ours+=("$w=labproject.wsgi"); done
B="http://127.0.0.1:$PORT"
check "/db/?n=5 through pgbouncer" get_json '/db/?n=5' '"queries": 6'
key=m$RANDOM
check "/cache/ fresh key misses (memcached)" get_json "/cache/?key=$key" '"hit": false, "backend": "memcached"'
check "/cache/ same key hits (memcached)" get_json "/cache/?key=$key" '"hit": true'
check "memcached counted the hit" bash -c "(( \$(memcached_stat get_hits) >= 1 ))"
check "pgbouncer SHOW POOLS lists the lab pool" bash -c \
  "/usr/bin/psql -X -At -h 127.0.0.1 -p \$(cat '$LAB_DIR/pgbouncer.port') -U lab -d pgbouncer -c 'SHOW POOLS' | grep -q '^lab|lab|'"
check "stop.sh" "$HERE/stop.sh"
check "cache.sh stop" "$HERE/cache.sh" stop
check "pg.sh stop" "$HERE/pg.sh" stop

# --- node exporter and Prometheus.
check "prom.sh start" "$HERE/prom.sh" start
record node-exporter node-exporter.pid "prometheus-node-exporter --web.listen-address=127.0.0.1:"
record prometheus prometheus.pid "$LAB_DIR/prometheus/prometheus.yml"
check "node exporter serves node_memory_MemAvailable_bytes" bash -c "curl -fsS --max-time 5 \$(cat '$LAB_DIR/node-exporter.url') | grep -q '^node_memory_MemAvailable_bytes '"
wait_for "Prometheus scraped the node exporter (up == 1)" 20 bash -c \
  "curl -fsS --max-time 2 \"\$(cat '$LAB_DIR/prometheus.url')api/v1/query?query=up%7Bjob%3D%22node%22%7D\" | grep -q '\"1\"\]'"
check "prom.sh stop" "$HERE/prom.sh" stop
[[ $pg_home == "$LAB_DIR/pg" ]] || check "pg data outside \$LAB_DIR removed" test ! -e "$pg_home"
