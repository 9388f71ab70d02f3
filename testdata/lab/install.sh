#!/usr/bin/env bash
# install.sh — install the lab's Debian packages (idempotent; Debian 12).
#
#   ./install.sh                    everything below
#   ./install.sh --with-shellcheck  ... plus shellcheck (to lint these scripts)
#
# Packages: python3-django gunicorn wrk stress-ng (the app and its load tools);
# nginx; postgresql-15 (ships pg_stat_statements), pgbouncer, python3-psycopg2;
# redis-server, memcached, python3-django-redis (Django 3.2 has no redis cache
# backend of its own), python3-pymemcache (for Django's PyMemcacheCache);
# prometheus, prometheus-node-exporter.
#
# Installs only what is missing; runs `apt-get update` only when a missing
# package has no install candidate (or the first install attempt fails).
# Waits up to 10 minutes for another apt/dpkg run to release its lock.
# Safe to run again. Exits non-zero with a message when something fails.
set -euo pipefail

PKGS=(
  python3-django gunicorn wrk stress-ng
  nginx-light
  postgresql-15 pgbouncer python3-psycopg2
  redis-server memcached python3-django-redis python3-redis python3-pymemcache
  prometheus prometheus-node-exporter
)

die() { echo "install.sh: error: $*" >&2; exit 1; }

for arg in "$@"; do
  case "$arg" in
    --with-shellcheck) PKGS+=(shellcheck) ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument: $arg (see --help)" ;;
  esac
done

command -v apt-get >/dev/null 2>&1 || die "apt-get not found: this lab targets Debian 12"
[[ -x /usr/bin/python3 ]] || die "/usr/bin/python3 not found"

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}
# Any nginx flavour will do (nginx-light, nginx, nginx-full, ...).
have_nginx() { [[ -x /usr/sbin/nginx ]]; }

missing=()
for p in "${PKGS[@]}"; do
  if [[ $p == nginx-light ]] && have_nginx; then continue; fi
  installed "$p" || missing+=("$p")
done

if ((${#missing[@]})); then
  [[ $(id -u) -eq 0 ]] || die "missing ${missing[*]}; run as root to install them (uses apt-get install)"
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  lock=(-o DPkg::Lock::Timeout=600)

  apt_update() {
    echo "install.sh: apt-get update"
    apt-get "${lock[@]}" update -qq >"$log" 2>&1 || die "apt-get update failed:
$(tail -n 15 "$log")"
  }
  apt_install() {
    apt-get "${lock[@]}" install -y -qq -o Dpkg::Use-Pty=0 "${missing[@]}" >"$log" 2>&1
  }

  updated=0
  for p in "${missing[@]}"; do
    cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
    if [[ -z $cand || $cand == "(none)" ]]; then
      apt_update
      updated=1
      break
    fi
  done

  echo "install.sh: installing ${missing[*]}"
  if ! apt_install; then
    ((updated)) && die "apt-get install ${missing[*]} failed:
$(tail -n 15 "$log")"
    # Package lists may be stale (404 on a superseded .deb): refresh once, retry.
    apt_update
    apt_install || die "apt-get install ${missing[*]} failed:
$(tail -n 15 "$log")"
  fi
fi

# Verify what the other scripts rely on.
PGBIN=/usr/lib/postgresql/15/bin
for b in /usr/bin/gunicorn /usr/bin/wrk /usr/bin/stress-ng /usr/sbin/nginx \
  "$PGBIN/postgres" "$PGBIN/initdb" "$PGBIN/pg_ctl" /usr/bin/psql /usr/sbin/pgbouncer \
  /usr/bin/redis-server /usr/bin/redis-cli /usr/bin/memcached \
  /usr/bin/prometheus /usr/bin/prometheus-node-exporter; do
  [[ -x $b ]] || die "$b missing after install"
done
[[ -r /usr/share/postgresql/15/extension/pg_stat_statements.control ]] \
  || die "pg_stat_statements missing (it ships with postgresql-15)"
for m in django gunicorn psycopg2 pymemcache redis django_redis; do
  /usr/bin/python3 -c "import $m" 2>/dev/null || die "/usr/bin/python3 cannot import $m"
done
django_ver=$(/usr/bin/python3 -c 'import django; print(django.get_version())')
gunicorn_ver=$(/usr/bin/python3 -c 'import gunicorn; print(gunicorn.__version__)')

if ((${#missing[@]})); then
  echo "install.sh: ok (installed: ${missing[*]})"
else
  echo "install.sh: ok (all present)"
fi
echo "install.sh: django $django_ver, gunicorn $gunicorn_ver, $(/usr/bin/wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2), stress-ng $(/usr/bin/stress-ng --version 2>&1 | awk '{print $3; exit}')"
echo "install.sh: $(/usr/sbin/nginx -v 2>&1), postgres $("$PGBIN/postgres" --version | awk '{print $3}'), pgbouncer $(/usr/sbin/pgbouncer --version 2>&1 | awk 'NR == 1 {print $2}'), redis $(/usr/bin/redis-server --version | awk '{print $3}' | tr -d 'v='), memcached $(/usr/bin/memcached -V 2>&1 | awk '{print $2}')"
