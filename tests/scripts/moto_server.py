"""moto_server, with DynamoDB requests served one at a time.

Usage: python tests/scripts/moto_server.py HOST PORT   (as `moto_server -H HOST -p PORT`)

moto's server handles each request on its own thread, and its DynamoDB backend takes no
lock: a TransactWriteItems checks its conditions, writes, and on a failed condition puts back
a copy of the whole table taken before it started. Two concurrent transactions can then both
pass the same condition, or one can roll back the other's finished write. DynamoDB itself
never does either, and the store conformance suite races writes on purpose; so this runs
moto's own server application with a lock around DynamoDB requests only. Every other service
(SQS long polls included) stays concurrent.
"""

import os
import sys
import threading

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

DYNAMODB_TARGET = "DynamoDB_"


def serialise_dynamodb(app):
    lock = threading.Lock()

    def wrapped(environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith(DYNAMODB_TARGET):
            with lock:
                # Run the request to the end, body included, before the next one starts.
                return list(app(environ, start_response))
        return app(environ, start_response)

    return wrapped


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))  # as moto_server does: some URLs it hands out name it
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, serialise_dynamodb(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
