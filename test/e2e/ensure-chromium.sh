#!/usr/bin/env bash
# The e2e tests drive Debian's Chromium (Playwright's browser downloads cannot work here).
# Installs it when it is missing and we may (root with apt-get); otherwise says what to do.
set -euo pipefail
browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$browser" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian chromium for the e2e tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The e2e tests need Chromium at $browser: run 'sudo apt-get install -y chromium', or set CHROMIUM_PATH." >&2
exit 1
