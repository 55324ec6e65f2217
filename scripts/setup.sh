#!/usr/bin/env bash
# Installs what this project needs and is missing; safe to run again.
#   scripts/setup.sh build   toolchain for the widget and the service
#   scripts/setup.sh test    that, plus Chromium + ChromeDriver, PostgreSQL, brotli, python3-venv, npm packages
# Facts behind the choices (versions, traps) are in ../shared/TOOLCHAIN.md and the README.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-build}

say() { printf '[setup] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_packages=(brotli)
if [ "$what" = test ]; then
  # Debian's chromium and its matching driver: no test tool may download a browser.
  # Not Debian's binaryen: its wasm-opt 108 silently breaks the module (TOOLCHAIN.md trap 1).
  # python3-venv: scripts/schemathesis.sh installs schemathesis (PyPI) into a venv, as
  # Debian's system Python is externally managed. fonts-wqy-zenhei: Chinese glyphs, so the
  # e2e screenshots of the zh widget show text rather than empty boxes. haproxy:
  # server/tests/scale_out.rs runs docs/deploy/haproxy.cfg in front of three instances.
  apt_packages+=(chromium chromium-driver postgresql wrk python3-venv fonts-wqy-zenhei haproxy)
fi
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen's CLI must equal the library version in Cargo.lock exactly. Installed without
# --locked: its lockfile pins a crate the registry mirror lacks (TOOLCHAIN.md trap 2).
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "cargo install wasm-bindgen-cli --version $want (about 2 minutes)"
  cargo install -q wasm-bindgen-cli --version "$want"
fi

# wasm-pack builds pkg/ (package.json, .d.ts, README); build-widget.sh runs it offline with
# --mode no-install, so it uses the wasm-bindgen above (TOOLCHAIN.md trap 4). Pinned to the
# 0.15.1 measured to work; --locked may fail on the registry mirror, then without it.
pack=0.15.1
if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}' || true)" != "$pack" ]; then
  say "cargo install wasm-pack --version $pack --locked (about 2 minutes)"
  cargo install -q wasm-pack --version "$pack" --locked || {
    say "--locked failed; cargo install wasm-pack --version $pack without it"
    cargo install -q wasm-pack --version "$pack"
  }
fi

# wasm-opt from the npm package binaryen (pinned in package.json), playwright-core, and
# for the console uPlot and (tests) axe-core.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -f node_modules/uplot/package.json ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# The console's chart library (uPlot) into www/admin/vendor/, served at /admin/vendor/.
scripts/vendor-console.sh
