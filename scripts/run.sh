#!/usr/bin/env bash
# The first README command: installs what is missing, builds the widget and the service,
# and serves the demo catalogue on http://127.0.0.1:8080 (CASM_LISTEN to change).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
scripts/build-widget.sh
cargo build --profile server -p casm-feed
export CASM_LISTEN=${CASM_LISTEN:-127.0.0.1:8080}
echo "[run] starting the feed service; open the printed URL (Ctrl-C stops it)"
exec target/server/casm-feed serve --demo --database "${CASM_DATABASE:-sqlite://data/casm.db}"
