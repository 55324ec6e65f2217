# Sourced by the benchmarks that compare with Isso (scripts/bench.sh, scripts/bench-load.sh).
#   isso_venv DIR [PACKAGE…]   installs Isso from PyPI (ISSO_VERSION=x.y.z pins it) and the
#                              PACKAGEs into a throwaway venv DIR/venv; prints "Isso x.y.z".
isso_venv() {
  local dir=$1
  shift
  python3 -m venv "$dir/venv"
  "$dir/venv/bin/pip" install -q --disable-pip-version-check "isso${ISSO_VERSION:+==$ISSO_VERSION}" "$@" >&2
  echo "Isso $("$dir/venv/bin/pip" show isso | awk '/^Version:/ { print $2 }')"
}
