#!/usr/bin/env bash
# What `npm test` needs besides Node.js: the npm packages, and Debian's redis-server, chromium,
# haproxy and prometheus (with promtool). Installs what is missing (apt-get when run as root);
# otherwise stops with the exact
# command to run.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/vitest ]; then
  echo "test: installing the npm packages (npm install)"
  npm install --no-audit --no-fund
fi

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi

line="apt-get install -y ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "test: missing ${missing[*]}; install them with:" >&2
  echo "  sudo apt-get update && sudo ${line}" >&2
  exit 1
fi
echo "test: installing ${missing[*]} from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
