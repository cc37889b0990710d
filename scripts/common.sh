# Shared by scripts/run and scripts/test: install what is missing, then build.
# Sourced, not executed.

KEYMINT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# KEYMINT_SANITIZE=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer
# in a separate build directory.
if [ "${KEYMINT_SANITIZE:-0}" = 1 ]; then
  KEYMINT_BUILD_DIR="${KEYMINT_BUILD_DIR:-$KEYMINT_ROOT/build-sanitize}"
else
  KEYMINT_BUILD_DIR="${KEYMINT_BUILD_DIR:-$KEYMINT_ROOT/build}"
fi

# ccache keys on paths relative to the checkout, so a second checkout (or a
# git worktree) of the same sources reuses the first one's objects.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$KEYMINT_ROOT}"
export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"

# Debian 12 packages keymint builds with (see README "Dependencies"); clang and
# libclang-rt-14-dev (libFuzzer, named explicitly: it is only "recommended")
# build the fuzz targets; clang-format and clang-tidy serve scripts/lint;
# prometheus-cpp-dev (core) renders /metrics and promtool (prometheus) checks it;
# chromium, nodejs and npm run the web page's browser tests (tests/e2e/);
# libspdlog-dev writes the request log; libpq-dev is the PostgreSQL store's
# client library and postgresql the server its tests start (tests/support/postgres/).
KEYMINT_PACKAGES=(
  g++ cmake ninja-build pkg-config ccache
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev librocksdb-dev libtomlplusplus-dev catch2
  clang libclang-rt-14-dev clang-format clang-tidy
  prometheus-cpp-dev prometheus libspdlog-dev
  libpq-dev postgresql
  chromium nodejs npm
)

keymint_install_packages() {
  local missing=()
  for pkg in "${KEYMINT_PACKAGES[@]}"; do
    # A Node.js from outside Debian (e.g. nodesource) bundles npm and conflicts with Debian's npm package.
    [ "$pkg" = npm ] && command -v npm >/dev/null 2>&1 && continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "scripts: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

keymint_build() {
  local build_type="${KEYMINT_BUILD_TYPE:-RelWithDebInfo}"
  local sanitize=OFF
  [ "${KEYMINT_SANITIZE:-0}" = 1 ] && sanitize=ON
  cmake -S "$KEYMINT_ROOT" -B "$KEYMINT_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" \
    -DKEYMINT_SANITIZE="$sanitize" "$@" >/dev/null
  cmake --build "$KEYMINT_BUILD_DIR" -j"$(nproc)"
}

# The libFuzzer configuration (tests/fuzz/): clang, every library instrumented,
# in its own build directory; builds only the fuzz targets.
KEYMINT_FUZZ_BUILD_DIR="${KEYMINT_FUZZ_BUILD_DIR:-$KEYMINT_ROOT/build-fuzz}"

keymint_build_fuzz() {
  cmake -S "$KEYMINT_ROOT" -B "$KEYMINT_FUZZ_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DKEYMINT_FUZZ=ON -DKEYMINT_BUILD_BENCH=OFF "$@" >/dev/null
  cmake --build "$KEYMINT_FUZZ_BUILD_DIR" -j"$(nproc)" --target keymint_fuzzers
}
