#!/usr/bin/env bash
# Installs the Debian 12 packages hogo needs to build, test and benchmark.
# Part of the build layer: the Makefile runs it when a dependency is missing; it may also be
# run by hand. Needs root (or sudo) and the Debian package archive.
set -eu

packages=(
  build-essential cmake pkg-config
  libfyaml-dev libyajl-dev libsodium-dev libsqlite3-dev libpq-dev
  libmicrohttpd-dev libutf8proc-dev libcmocka-dev
  libmecab-dev mecab mecab-ipadic-utf8 libglpk-dev
  clang-14 libclang-rt-14-dev
  postgresql-15 sqlite3 python3 python3-yaml curl wrk
  chromium fonts-ipaexfont-gothic openssl
)

# The OpenAPI check of `make check` (tests/openapi) and the browser tests (tests/browser: npm
# playwright-core driving Debian's chromium, axe-core; fonts-ipaexfont-gothic so Japanese is
# drawn in screenshots) run on Node.js with packages pinned in each folder's package-lock.json,
# installed into that folder only.
npm_packages() {
  local here
  here=$(cd "$(dirname "$0")/.." && pwd)
  if ! [ -f "$here/tests/browser/node_modules/playwright-core/package.json" ] ||
     ! [ -f "$here/tests/browser/node_modules/axe-core/package.json" ]; then
    echo "install-deps: installing the npm packages of tests/browser"
    if ! (cd "$here/tests/browser" && npm ci --no-audit --no-fund --loglevel=error); then
      echo "install-deps: warning: the npm packages of tests/browser could not be installed" \
           "(is the npm registry reachable?); make check skips the browser tests" >&2
    fi
  fi
  if ! [ -d "$here/tests/openapi/node_modules/@seriousme/openapi-schema-validator" ]; then
    echo "install-deps: installing the npm packages of tests/openapi"
    if ! (cd "$here/tests/openapi" && npm ci --no-audit --no-fund --loglevel=error); then
      # everything else builds and tests without them; the schema check says it was skipped
      echo "install-deps: warning: the npm packages of tests/openapi could not be installed" \
           "(is the npm registry reachable?); make check skips the OpenAPI schema validation" >&2
    fi
  fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  npm_packages
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
npm_packages
