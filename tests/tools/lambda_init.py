"""Init time of the Lambda functions, measured as the Lambda service sees it: from starting
the process to its first `GET /runtime/invocation/next` on the Runtime API.

Usage: python tests/tools/lambda_init.py BINARY... (with the function's environment set, and
AWS_ENDPOINT_URL naming an emulator that holds the table). Serves a minimal Runtime API on
loopback, starts each binary five times, prints the median and the range, and stops each
process once it has asked for work.
"""

import http.server
import os
import statistics
import subprocess
import sys
import threading
import time

asked = threading.Event()


class RuntimeApi(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.endswith("/runtime/invocation/next"):
            asked.set()
            # Hold the request: the function waits here for an invocation that never comes.
            time.sleep(5)
        self.send_response(500)
        self.end_headers()

    def do_POST(self):
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RuntimeApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{server.server_address[1]}")
    env.setdefault("AWS_LAMBDA_FUNCTION_NAME", "leadflow-bench")
    env.setdefault("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
    env.setdefault("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
    for binary in sys.argv[1:]:
        times = []
        for _ in range(5):
            asked.clear()
            started = time.perf_counter()
            process = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if not asked.wait(10):
                process.kill()
                sys.exit(f"{binary}: no call to the Runtime API within 10 s: {process.stderr.read().decode()[-2000:]}")
            times.append((time.perf_counter() - started) * 1000)
            process.kill()
            process.wait()
        size = os.path.getsize(binary) / 1e6
        print(f"  {os.path.basename(binary):<8} init {statistics.median(times):6.1f} ms (min {min(times):.1f}, max {max(times):.1f})  binary {size:.1f} MB (x86_64)")
    server.shutdown()


if __name__ == "__main__":
    main()
