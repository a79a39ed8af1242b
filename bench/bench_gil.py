"""Request latency while a background thread does pure-Python work (an index build), by GIL switch interval.

    .venv/bin/python -m bench.bench_gil [--requests 200] [--waits 30]

A "request" waits on I/O ``--waits`` times (a socket round trip each: as a request waits on its socket, a query
worker's pipe or the store) and encodes a small JSON answer. Alone it takes well under a millisecond; with a busy
thread beside it, each wait gives the GIL away and getting it back takes up to the switch interval. Prints p50/p95
alone, then with the busy thread at Python's default (5 ms) and at the interval ``srkg serve`` sets
(``serve_cmd.REQUEST_SWITCH_INTERVAL_S``), all in one run.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import threading

from bench.bench_search import percentile, timed_ms
from sparql_api.cli.serve_cmd import REQUEST_SWITCH_INTERVAL_S


def busy(stop: threading.Event) -> None:
    while not stop.is_set():
        table = {}
        for i in range(10_000):
            table[str(i)] = i * 2.0


def echo_server(sock: socket.socket) -> None:
    while message := sock.recv(64):
        sock.sendall(message)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--waits", type=int, default=30)
    args = parser.parse_args(argv)
    client, server = socket.socketpair()
    threading.Thread(target=echo_server, args=(server,), daemon=True).start()

    def request() -> str:
        for _ in range(args.waits):
            client.sendall(b"x")
            client.recv(64)
        return json.dumps([{"n": i} for i in range(300)])

    default = sys.getswitchinterval()
    print("| situation | switch interval | p50 | p95 |\n|---|---|---|---|")
    for label, interval, with_busy in (("alone", default, False), ("busy thread beside", default, True),
                                       ("busy thread beside", REQUEST_SWITCH_INTERVAL_S, True)):
        sys.setswitchinterval(interval)
        stop = threading.Event()
        worker = threading.Thread(target=busy, args=(stop,), daemon=True)
        if with_busy:
            worker.start()
        found = timed_ms(request, args.requests)
        stop.set()
        if with_busy:
            worker.join()
        print(f"| {label} | {interval * 1000:g} ms | {statistics.median(found):.2f} ms "
              f"| {percentile(found, 0.95):.2f} ms |")
    sys.setswitchinterval(default)
    return 0


if __name__ == "__main__":
    sys.exit(main())
