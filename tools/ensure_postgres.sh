#!/usr/bin/env bash
# The team tests start their own PostgreSQL server (leadtriage/sync/localserver.py) and
# need its programs: initdb, pg_ctl, postgres. Debian's `postgresql` package ships
# them (under /usr/lib/postgresql/<major>/bin). As root we install it; otherwise we
# print the exact command and fail, because the team tests never skip.
set -euo pipefail
have() {
  command -v initdb >/dev/null 2>&1 && return 0
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}
have && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "PostgreSQL server programs missing: installing Debian's postgresql package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  have && exit 0
fi
echo "The team tests need the PostgreSQL server programs (initdb, pg_ctl, postgres)." >&2
echo "Install them with:  sudo apt-get install -y postgresql" >&2
exit 1
