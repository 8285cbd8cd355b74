"""
Runs the FastAPI demo with uvicorn on 127.0.0.1 and prints one line,
`listening on http://127.0.0.1:PORT`, once the port accepts connections.

  python3 serve.py [--port 0]

--port 0 (the default) lets the OS pick a free port.
"""

import argparse
import os
import socket
import sys

import uvicorn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    # Listening before uvicorn starts: early connections wait in the backlog instead of failing.
    sock.listen(128)
    # No access log: the WebSocket URL carries the access token in its query string.
    server = uvicorn.Server(uvicorn.Config("main:app", log_level="warning", access_log=False, lifespan="off"))
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
