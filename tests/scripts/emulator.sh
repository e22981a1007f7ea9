# Sourced by tests/run and tests/scripts/bench-aws: installs a pinned moto server in a venv under
# target/, starts it on a free loopback port, waits for it, exports AWS_ENDPOINT_URL, the
# region and dummy credentials, and stops it by PID when the sourcing script exits.
MOTO_REQUIREMENT="moto[server,dynamodb,sqs,ssm]==5.2.5"
VENV=target/venv
STAMP="$VENV/.installed"

echo "== AWS emulator: $MOTO_REQUIREMENT"
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c '' 2>/dev/null; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
fi
if [[ "$(cat "$STAMP" 2>/dev/null)" != "$MOTO_REQUIREMENT" ]]; then
  "$VENV/bin/python" -m pip install --quiet "$MOTO_REQUIREMENT"
  echo "$MOTO_REQUIREMENT" >"$STAMP"
fi

PORT="$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
LOG=target/moto_server.log
# moto's own server, with DynamoDB requests serialised as DynamoDB does (see the script).
"$VENV/bin/python" tests/scripts/moto_server.py 127.0.0.1 "$PORT" >"$LOG" 2>&1 &
MOTO_PID=$!
stop_emulator() {
  kill "$MOTO_PID" 2>/dev/null || true
  wait "$MOTO_PID" 2>/dev/null || true
}
trap stop_emulator EXIT

export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT"
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"
if ! "$VENV/bin/python" - "$AWS_ENDPOINT_URL" "$MOTO_PID" <<'EOF'; then
import os, sys, time, urllib.request
url, pid = sys.argv[1] + "/moto-api/", int(sys.argv[2])
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit("the emulator exited")
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=2):
            sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("the emulator did not answer within 30 s")
EOF
  echo "error: the AWS emulator did not start on $AWS_ENDPOINT_URL; its log ($LOG):" >&2
  tail -n 30 "$LOG" >&2 || true
  exit 1
fi
echo "   listening on $AWS_ENDPOINT_URL (pid $MOTO_PID)"
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing
# Never read a developer's ~/.aws: these tests only ever talk to the emulator.
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE

