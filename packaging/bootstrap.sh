#!/usr/bin/env bash
# One-step set-up for a fresh Debian machine, then either start the app or run the tests.
#   packaging/bootstrap.sh demo [ARGS...]   set up, then start ArxConsole on the demo workspace
#   packaging/bootstrap.sh test [PYTEST ARGS...]  set up, then run the whole test suite
#                                           (offscreen, then the GUI tests again under xvfb-run)
#   packaging/bootstrap.sh setup            only set up
# Installs Qt's Debian libraries when they are missing and we run as root, creates .venv
# and installs the project with its pinned dependencies (again only when pyproject changes).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY=${PYTHON:-python3}

QT_LIBS="libgl1 libegl1 libglib2.0-0 libfontconfig1 fonts-dejavu-core libdbus-1-3 libxkbcommon0"
X_LIBS="dbus gnome-keyring xvfb xauth libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
libxcb-render-util0 libxcb-shape0 libxcb-randr0 libx11-xcb1"

apt_ensure() {
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "bootstrap: installing Debian packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "bootstrap: missing Debian packages (install them as root): ${missing[*]}" >&2
    fi
}

setup() {
    if command -v dpkg >/dev/null; then
        apt_ensure $QT_LIBS
        [ "${1:-}" = with-x ] && apt_ensure $X_LIBS
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        echo "bootstrap: creating $VENV"
        "$PY" -m venv "$VENV"
    fi
    local stamp="$VENV/.arxconsole-installed"
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
        echo "bootstrap: installing ArxConsole and its pinned dependencies"
        "$VENV/bin/python" -m pip install -q --upgrade pip
        "$VENV/bin/python" -m pip install -q -e ".[test]"
        touch "$stamp"
    fi
    # Current bytecode for the (editable) package: Python would write it at the first
    # start, but not where PYTHONDONTWRITEBYTECODE is set, and then every start compiles
    # the modules again.  Only stale files are compiled (well under a second).
    "$VENV/bin/python" -m compileall -q arxconsole >/dev/null
}

cmd=${1:-demo}
shift || true
case "$cmd" in
    setup)
        setup with-x ;;
    demo)
        setup
        if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
            echo "bootstrap: no display found; to look at it headless: $VENV/bin/arxconsole --demo --screenshot shot.png" >&2
        fi
        exec "$VENV/bin/arxconsole" --demo "$@" ;;
    test)
        setup with-x
        export QT_QPA_PLATFORM=offscreen
        status=0
        # Storage tests also run against a real PostgreSQL server when one can be started.
        if [ -z "${ARXCONSOLE_TEST_PG_URL:-}" ] && pg=$(bash packaging/pg_test_server.sh 2>/dev/null); then
            export ARXCONSOLE_TEST_PG_URL=${pg% *}
            trap "bash packaging/pg_test_server.sh stop ${pg#* }" EXIT
            echo "== PostgreSQL test server on loopback: ${ARXCONSOLE_TEST_PG_URL%%:*}://…@127.0.0.1"
        fi
        echo "== whole suite, offscreen"
        "$VENV/bin/python" -m pytest -q -p no:cacheprovider "$@" tests || status=$?
        if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
            echo "== keyring round trip against a real Secret Service (gnome-keyring)"
            dbus-run-session -- sh -c "echo -n ci-unlock | gnome-keyring-daemon --unlock --components=secrets >/dev/null && \
                '$VENV/bin/python' -m pytest -q -p no:cacheprovider -m keyring tests" || status=$?
        fi
        if command -v xvfb-run >/dev/null; then
            echo "== GUI tests again on a real X server (xvfb-run)"
            QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1600x1000x24" \
                "$VENV/bin/python" -m pytest -q -p no:cacheprovider -m gui "$@" tests || {
                rc=$?; [ $rc -eq 5 ] || status=$rc; }
        else
            echo "bootstrap: xvfb-run not available; GUI tests ran offscreen only" >&2
        fi
        exit $status ;;
    *)
        echo "usage: packaging/bootstrap.sh demo|test|setup [ARGS...]" >&2
        exit 2 ;;
esac
