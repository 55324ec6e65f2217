#!/usr/bin/env bash
# The second README command: installs what the tests need, then runs every test:
# native unit and integration tests (model, widget logic, feed service on SQLite and on
# a throwaway PostgreSQL),
# schema fuzzing of the release service against its OpenAPI document (schemathesis),
# the widget build with its size budget, the npm package's file list, the widget's DOM tests in headless Chromium,
# and the end-to-end tests (playwright-core driving Debian's Chromium against the real
# feed service on port 0 with the demo catalogue).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test

step() { printf '\n==== %s\n' "$*"; }

step "native tests on SQLite: cargo test --workspace"
# Three instances on one SQLite file is no supported topology: the scale-out test runs in
# the PostgreSQL step below (under CI=true it fails rather than skip without PostgreSQL).
cargo test --workspace -- --skip three_instances_on_one_postgres

step "feed service tests again on a real PostgreSQL"
scripts/with-postgres.sh cargo test -p casm-feed

step "widget build (fails over the 49 KB gzip budget)"
scripts/build-widget.sh

step "npm package: npm pack --dry-run in pkg/ lists the Wasm, the JS and the types"
(cd pkg && npm pack --dry-run --json --loglevel=error) | node -e '
  const [pack] = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const files = pack.files.map((f) => f.path);
  const want = [[/\.wasm$/, "the Wasm"], [/\.js$/, "the JS"], [/\.d\.ts$/, "the types"]];
  const lacking = want.filter(([re]) => !files.some((f) => re.test(f))).map(([, what]) => what);
  console.log(`${pack.id}: ${files.join(", ")}`);
  if (lacking.length) { console.error(`npm pack lists no ${lacking.join(", no ")}`); process.exit(1); }
'

step "widget DOM tests in headless Chromium (wasm-bindgen-test)"
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver} \
  cargo test -p casm-widget --target wasm32-unknown-unknown

step "feed service build (profile server: release with panics that unwind)"
cargo build --profile server -p casm-feed

step "schema fuzzing: schemathesis, every check, against /v1/openapi.json (under 3 minutes)"
CASM_FEED_BIN=target/server/casm-feed scripts/schemathesis.sh

step "end-to-end: real feed service (server build) + Chromium"
CASM_FEED_BIN=target/server/casm-feed node --test --test-concurrency=1 tests/e2e/

step "all tests passed"
