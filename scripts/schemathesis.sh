#!/usr/bin/env bash
# Schema fuzzing: schemathesis (pinned in scripts/schemathesis/requirements.txt, installed
# into target/schemathesis-venv) runs every check against the service's own
# /v1/openapi.json. The release server runs the demo catalogue on port 0 on a throwaway
# SQLite database, with a staff token (so /v1/admin/* is reached) and the demo partner's
# Origin (so writes are reached), without rate limits or vote cap (so they are not what
# answers). Fails on any server error or answer that breaks the document.
#   scripts/schemathesis.sh            builds target/server/casm-feed if missing
#   CASM_FEED_BIN=path scripts/schemathesis.sh
# ST_MAX_TIME (default 150 s) bounds the fuzzing; the whole run stays under 3 minutes here.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/schemathesis-venv
requirements=scripts/schemathesis/requirements.txt
if [ ! -x "$venv/bin/st" ] || [ "$requirements" -nt "$venv/bin/st" ]; then
  echo "[schemathesis] installing $(cat "$requirements") into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
  touch "$venv/bin/st"
fi

bin=${CASM_FEED_BIN:-target/server/casm-feed}
if [ ! -x "$bin" ]; then
  cargo build --profile server -p casm-feed
fi

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

database="sqlite://$work/casm.db"
# A throwaway secret: no file is written to data/.
export CASM_SECRET=schemathesis-throwaway-secret
"$bin" serve --database "$database" --demo --listen 127.0.0.1:0 --data-dir "$work" \
  --post-rate 0 --post-burst 1000000 --vote-cap 0 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!

base=
for _ in $(seq 1 100); do
  base=$(sed -n 's/.*listening on \(http:\/\/[0-9.:]*\).*/\1/p' "$work/server.out" | head -n1)
  [ -n "$base" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { echo "[schemathesis] the server did not say where it listens" >&2; exit 1; }

token=$("$bin" --database "$database" admin token create schemathesis | tail -n1)

echo "[schemathesis] $base/v1/openapi.json" >&2
status=0
config=$PWD/scripts/schemathesis/schemathesis.toml
st=$PWD/$venv/bin/st
# Run from the temp dir: schemathesis keeps a cache (.schemathesis/) in its working folder.
# One worker: with two threads, CPython 3.11's ast.parse (which hypothesis calls to describe
# its filters) can fail with "AST constructor recursion depth mismatch" (CPython
# gh-106905), an error of the tool, not of the service; it failed one CI run that way.
(cd "$work" && "$st" --config-file "$config" run "$base/v1/openapi.json" \
  --checks all \
  --max-time "${ST_MAX_TIME:-150}" \
  --max-examples "${ST_MAX_EXAMPLES:-60}" \
  --workers 1 \
  --seed "${ST_SEED:-1}" \
  --no-color \
  --warnings off \
  -H "Authorization: Bearer $token" \
  -H "Origin: $base" \
  --report-dir "$work/report") || status=$?

if grep -q "panicked" "$work/server.err"; then
  echo "[schemathesis] the server panicked:" >&2
  grep -A3 "panicked" "$work/server.err" >&2
  status=1
fi
exit "$status"
