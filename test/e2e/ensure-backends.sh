#!/usr/bin/env bash
# The backend suites (test/e2e/backend-*.spec.ts) run real Django REST framework and FastAPI
# apps on Debian's python3 (PyPI is not used). Installs the packages when they are missing and
# we may (root with apt-get); otherwise says what to do.
set -euo pipefail
python="${PYTHON:-/usr/bin/python3}"
packages=(python3-django python3-djangorestframework python3-djangorestframework-simplejwt python3-fastapi
  python3-uvicorn python3-jwt python3-websockets python3-multipart)
modules='import django, rest_framework, rest_framework_simplejwt, fastapi, uvicorn, jwt, websockets, multipart'
[ -x "$python" ] && "$python" -c "$modules" 2>/dev/null && exit 0
source "$(dirname "$0")/apt-install.sh"
apt_install 'the backend e2e suites' "${packages[@]}" && exit 0
echo "The backend e2e suites need $python with: sudo apt-get install -y ${packages[*]} (or set PYTHON)." >&2
exit 1
