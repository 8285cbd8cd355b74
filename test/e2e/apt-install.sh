# Sourced by the ensure-*.sh scripts: `apt_install WHAT PACKAGE...` installs Debian packages
# when we may (root with apt-get) and returns 0; otherwise returns 1 and the caller says what to do.
apt_install() {
  local what="$1"
  shift
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 1
  echo "Installing Debian packages for $what: $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$@" >/dev/null
}
