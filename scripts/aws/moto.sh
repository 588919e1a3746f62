#!/usr/bin/env bash
# The moto server the AWS tests talk to (real aws-sdk-go-v2 clients with an
# endpoint override). moto is pinned in scripts/aws/moto-requirements.txt and
# installed once into a cached venv (~/.cache/slm/moto-venv, or $SLM_MOTO_VENV).
#
#   moto.sh install          create or refresh the venv (idempotent: a stamp
#                            holding the requirements' digest skips the work)
#   moto.sh start DIR        start moto on 127.0.0.1 and a free port, wait until
#                            it answers; writes DIR/moto.pid, DIR/moto.endpoint,
#                            DIR/moto.log and prints the endpoint
#   moto.sh stop DIR         stop the server started with DIR, by its PID
#   moto.sh run CMD ARGS...  start, run CMD with SLM_MOTO_ENDPOINT set, stop
#                            (also when CMD fails); exits with CMD's status
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${SLM_MOTO_VENV:-$HOME/.cache/slm/moto-venv}"
reqs="$here/moto-requirements.txt"

install() {
  local want
  want="$(cat "$reqs" | sha256sum | cut -d' ' -f1)"
  if [[ -f "$venv/.stamp" && "$(cat "$venv/.stamp")" == "$want" ]]; then
    return 0
  fi
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$reqs"
  "$venv/bin/python" -c 'import moto, flask; assert moto.__version__ == "5.2.5", moto.__version__'
  echo "$want" > "$venv/.stamp"
  echo "moto venv ready: $venv" >&2
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
  local dir="$1" port pid endpoint i try
  install
  mkdir -p "$dir"
  # A port picked free can be taken before moto binds it: try a few.
  for try in 1 2 3; do
    port="$(free_port)"
    endpoint="http://127.0.0.1:$port"
    "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$dir/moto.log" 2>&1 &
    pid=$!
    echo "$pid" > "$dir/moto.pid"
    for i in $(seq 1 150); do
      if ! kill -0 "$pid" 2>/dev/null; then
        break
      fi
      if curl -fsS -o /dev/null -X POST "$endpoint/moto-api/reset" 2>/dev/null; then
        echo "$endpoint" > "$dir/moto.endpoint"
        echo "$endpoint"
        return 0
      fi
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  echo "moto: the server did not answer on 127.0.0.1; its log:" >&2
  cat "$dir/moto.log" >&2
  return 1
}

stop() {
  local dir="$1" pid
  [[ -f "$dir/moto.pid" ]] || return 0
  pid="$(cat "$dir/moto.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/moto.pid" "$dir/moto.endpoint"
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?usage: moto.sh start DIR}" ;;
  stop) stop "${2:?usage: moto.sh stop DIR}" ;;
  run)
    shift
    [[ $# -gt 0 ]] || { echo "usage: moto.sh run CMD ARGS..." >&2; exit 2; }
    dir="$(mktemp -d)"
    trap 'stop "$dir"; rm -rf "$dir"' EXIT
    SLM_MOTO_ENDPOINT="$(start "$dir")"
    export SLM_MOTO_ENDPOINT
    set +e
    "$@"
    rc=$?
    set -e
    exit "$rc"
    ;;
  *) echo "usage: moto.sh install | start DIR | stop DIR | run CMD ARGS..." >&2; exit 2 ;;
esac
