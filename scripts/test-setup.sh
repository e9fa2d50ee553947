#!/usr/bin/env bash
# Makes sure what the test suite needs from the machine is there: PostgreSQL
# (reachable at PG_URL, default postgres://postgres@127.0.0.1:5432/test),
# Debian's Chromium for browser tests, curl and python3 for the documented
# samples, Debian's python3-msal for the Python MSAL checks. Quick and idempotent when everything is already present; installs
# from Debian's packages (apt-get) on a fresh machine.
set -euo pipefail

PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
need=()
have() { command -v "$1" >/dev/null 2>&1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif have sudo; then sudo -n "$@"; else
    echo "test-setup: need root to run: $*" >&2; return 1
  fi
}

apt_install() {
  if [ ! -f /tmp/.mde-partner-apt-updated ]; then
    as_root apt-get update -qq && touch /tmp/.mde-partner-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

have curl || need+=(curl)
have python3 || need+=(python3)
# python3-msal installs into Debian's python3, which may not be the python3 on PATH.
{ /usr/bin/python3 -c 'import msal' || python3 -c 'import msal'; } >/dev/null 2>&1 || need+=(python3-msal)
[ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  echo "test-setup: installing ${need[*]} from Debian packages" >&2
  apt_install "${need[@]}"
fi

pg_ready() {
  node -e '
    const net = require("node:net");
    const u = new URL(process.argv[1]);
    const s = net.connect({ host: u.hostname, port: Number(u.port || 5432) });
    s.setTimeout(2000);
    s.on("connect", () => { s.end(); process.exit(0); });
    s.on("error", () => process.exit(1));
    s.on("timeout", () => process.exit(1));
  ' "$PG_URL"
}

if ! pg_ready; then
  if ! have pg_ctlcluster; then
    echo "test-setup: installing PostgreSQL from Debian packages" >&2
    apt_install postgresql
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  # Tests connect as postgres over TCP without a password, as on the project's machines.
  if ! grep -q "mde-partner test access" "$hba"; then
    as_root sed -i '1i # mde-partner test access\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\nlocal all all trust' "$hba"
  fi
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  for _ in $(seq 1 30); do pg_ready && break; sleep 0.5; done
  pg_ready || { echo "test-setup: PostgreSQL did not come up at $PG_URL" >&2; exit 1; }
fi

# The database named in PG_URL must exist.
db=$(node -e 'console.log(new URL(process.argv[1]).pathname.slice(1) || "postgres")' "$PG_URL")
if have psql; then
  base="${PG_URL%/*}/postgres"
  if ! psql "$base" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" 2>/dev/null | grep -q 1; then
    psql "$base" -qc "CREATE DATABASE \"$db\"" >/dev/null 2>&1 || true
  fi
fi
echo "test-setup: ok (postgres at ${PG_URL%%@*}@…, chromium $( /usr/bin/chromium --version 2>/dev/null | awk '{print $2}'))" >&2
