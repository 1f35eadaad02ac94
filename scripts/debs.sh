# Sourced by scripts/setup.sh (tests) and scripts/run.sh (the server): the Debian packages each
# needs, and one idempotent installer. The server's SAML support (samael) binds xmlsec through
# bindgen, which needs clang and libclang-dev at build time.
# shellcheck shell=bash

# What building and running orgkit-server needs.
SERVER_DEBS=(clang libclang-dev libxmlsec1-dev libxml2-dev pkg-config)
# What the test suite needs on top: the xmlsec1 CLI (the test IdP signs with it) and headless
# Chromium (the login page test).
TEST_DEBS=(xmlsec1 chromium chromium-driver)

# install_debs PACKAGE…: installs the packages not installed yet (apt-get, as root or via sudo).
install_debs() {
  local missing=() p sudo=""
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}
