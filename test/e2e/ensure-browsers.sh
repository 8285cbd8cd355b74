#!/usr/bin/env bash
# The e2e tests drive three engines from Debian packages (browser downloads cannot work here):
# chromium, firefox-esr, and webkit2gtk-driver (WebKitWebDriver + MiniBrowser) under xvfb.
# Installs what is missing when we may (root with apt-get); otherwise says what to do.
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
firefox="${FIREFOX_PATH:-/usr/bin/firefox-esr}"
webkit_driver="${WEBKIT_DRIVER_PATH:-/usr/bin/WebKitWebDriver}"
minibrowser="${MINIBROWSER_PATH:-/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser}"

missing=()
[ -x "$chromium" ] || missing+=(chromium)
[ -x "$firefox" ] || missing+=(firefox-esr)
{ [ -x "$webkit_driver" ] && [ -x "$minibrowser" ]; } || missing+=(webkit2gtk-driver)
command -v Xvfb >/dev/null || missing+=(xvfb)
[ "${#missing[@]}" = 0 ] && exit 0

source "$(dirname "$0")/apt-install.sh"
apt_install 'the e2e tests' "${missing[@]}" && exit 0
echo "The e2e tests need these Debian packages: ${missing[*]}." >&2
echo "Run 'sudo apt-get install -y ${missing[*]}', or set CHROMIUM_PATH, FIREFOX_PATH, WEBKIT_DRIVER_PATH, MINIBROWSER_PATH." >&2
exit 1
