#!/usr/bin/env python3
"""Database floors for `steward bench`: the least a job queue can do on SQLite or PostgreSQL.

Not a product. A floor keeps one row per job (id, queue, payload, state), claims 100 at a
time, deletes what it ran, and keeps no leases, attempts, results or history; it shows what the
database allows on this machine, so Steward's figures can be read as ratios measured in the same
run. Same workloads and clock points as `steward bench` (docs/benchmarks.md):

  throughput: enqueue `--single-jobs` jobs one call (one transaction) each, the rest in calls of
              `--batch-size`; then drain: process_per_s = jobs / (worker start -> last handler start)
  latency:    the worker idles 2 s; `--jobs` jobs are enqueued one at a time at `--rate`/s; each
              records enqueue-call start -> handler start (p50/p90/p99/max/first, ms)

Prints one JSON object with the keys `steward bench --json` prints.
"""
import argparse
import json
import os
import sqlite3
import sys
import tempfile
import threading
import time

CLAIM = 100


def percentile(sorted_values, p):
    """Nearest rank, as steward bench."""
    if not sorted_values:
        return 0.0
    k = max(0, min(len(sorted_values) - 1, int(-(-p * len(sorted_values) // 100)) - 1))
    return sorted_values[k]


class SQLiteFloor:
    """WAL, synchronous=NORMAL; an in-process condition variable wakes the worker."""

    def __init__(self, path):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        self.path = path
        self.wake = threading.Condition()
        conn = self.connect()
        conn.execute(
            "CREATE TABLE jobs (id INTEGER PRIMARY KEY, queue TEXT NOT NULL, payload TEXT NOT NULL,"
            " state TEXT NOT NULL DEFAULT 'available')")
        conn.execute("CREATE INDEX jobs_fetch ON jobs (queue, id) WHERE state = 'available'")
        conn.close()

    def connect(self):
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def enqueue(self, conn, payloads):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO jobs (queue, payload) VALUES ('bench', ?)", [(p,) for p in payloads])
        conn.execute("COMMIT")
        with self.wake:
            self.wake.notify()

    def claim(self, conn):
        conn.execute("BEGIN IMMEDIATE")
        rows = conn.execute(
            "UPDATE jobs SET state = 'running' WHERE id IN (SELECT id FROM jobs WHERE queue = 'bench'"
            " AND state = 'available' ORDER BY id LIMIT ?) RETURNING id, payload", (CLAIM,)).fetchall()
        conn.execute("COMMIT")
        return rows

    def finish(self, conn, ids):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(f"DELETE FROM jobs WHERE id IN ({','.join('?' * len(ids))})", ids)
        conn.execute("COMMIT")

    def wait(self, conn, timeout):
        with self.wake:
            self.wake.wait(timeout)


class PostgresFloor:
    """`FOR UPDATE SKIP LOCKED` claims; `LISTEN/NOTIFY` wakes the worker."""

    def __init__(self, dsn):
        import psycopg
        self.psycopg = psycopg
        self.dsn = dsn
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS floor_jobs")
            conn.execute(
                "CREATE TABLE floor_jobs (id bigserial PRIMARY KEY, queue text NOT NULL, payload text NOT NULL,"
                " state text NOT NULL DEFAULT 'available')")
            conn.execute("CREATE INDEX floor_jobs_fetch ON floor_jobs (queue, id) WHERE state = 'available'")

    def connect(self):
        conn = self.psycopg.connect(self.dsn, autocommit=True)
        return conn

    def enqueue(self, conn, payloads):
        with conn.transaction():
            with conn.cursor() as cur:
                cur.execute(
                    "INSERT INTO floor_jobs (queue, payload) SELECT 'bench', unnest(%s::text[])", (payloads,))
                cur.execute("NOTIFY floor_jobs")

    def claim(self, conn):
        with conn.transaction():
            return conn.execute(
                "UPDATE floor_jobs SET state = 'running' WHERE id IN (SELECT id FROM floor_jobs WHERE queue = 'bench'"
                " AND state = 'available' ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING id, payload",
                (CLAIM,)).fetchall()

    def finish(self, conn, ids):
        conn.execute("DELETE FROM floor_jobs WHERE id = ANY(%s)", (ids,))

    def listen(self, conn):
        conn.execute("LISTEN floor_jobs")

    def wait(self, conn, timeout):
        for _ in conn.notifies(timeout=timeout, stop_after=1):
            pass


def worker(floor, stop, on_start, ready=None):
    """Claims and runs jobs until `stop` is set; `on_start(payload)` is the handler start."""
    conn = floor.connect()
    if hasattr(floor, "listen"):
        floor.listen(conn)
    if ready:
        ready.set()
    while not stop.is_set():
        rows = floor.claim(conn)
        if not rows:
            floor.wait(conn, 0.05)
            continue
        for _, payload in rows:
            on_start(payload)
        floor.finish(conn, [row[0] for row in rows])
    conn.close()


def throughput(floor, jobs, single, batch):
    conn = floor.connect()
    t0 = time.perf_counter()
    for _ in range(single):
        floor.enqueue(conn, ["{}"])
    t1 = time.perf_counter()
    left = jobs - single
    while left > 0:
        n = min(batch, left)
        floor.enqueue(conn, ["{}"] * n)
        left -= n
    t2 = time.perf_counter()
    conn.close()
    started = [0, 0.0]
    done = threading.Event()
    stop = threading.Event()

    def on_start(_payload):
        started[0] += 1
        started[1] = time.perf_counter()
        if started[0] == jobs:
            done.set()

    tw = time.perf_counter()
    thread = threading.Thread(target=worker, args=(floor, stop, on_start))
    thread.start()
    done.wait(300)
    stop.set()
    thread.join()
    ts = time.perf_counter()
    return {
        "enqueue_single_per_s": round(single / (t1 - t0)),
        "enqueue_bulk_per_s": round((jobs - single) / (t2 - t1)),
        "process_per_s": round(jobs / (started[1] - tw)),
        "e2e_s": round(ts - t0, 3),
        "processed": started[0],
    }


def latency(floor, jobs, rate, idle=2.0):
    samples = [-1.0] * jobs
    count = [0]
    done = threading.Event()
    stop = threading.Event()
    ready = threading.Event()

    def on_start(payload):
        now = time.perf_counter_ns()
        i, sent = (int(x) for x in payload.split(","))
        samples[i] = (now - sent) / 1e6
        count[0] += 1
        if count[0] == jobs:
            done.set()

    thread = threading.Thread(target=worker, args=(floor, stop, on_start, ready))
    thread.start()
    ready.wait()
    time.sleep(idle)
    conn = floor.connect()
    start = time.perf_counter() + 0.05
    for i in range(jobs):
        wait = start + i / rate - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        floor.enqueue(conn, [f"{i},{time.perf_counter_ns()}"])
    done.wait(60)
    stop.set()
    thread.join()
    conn.close()
    received = sorted(s for s in samples if s >= 0)
    return {
        "p50_ms": round(percentile(received, 50), 3),
        "p90_ms": round(percentile(received, 90), 3),
        "p99_ms": round(percentile(received, 99), 3),
        "max_ms": round(received[-1] if received else 0, 3),
        "first_ms": round(samples[0], 3),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("backend", choices=["sqlite", "postgres"])
    parser.add_argument("--workload", choices=["throughput", "latency"], default="throughput")
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--single-jobs", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--dsn", help="postgres: a database the floor may create a table in")
    args = parser.parse_args()
    jobs = args.jobs or (20000 if args.workload == "throughput" else 1000)
    if args.backend == "sqlite":
        floor = SQLiteFloor(os.path.join(tempfile.gettempdir(), f"steward-floor-{os.getpid()}.db"))
    else:
        if not args.dsn:
            sys.exit("postgres: --dsn is required")
        floor = PostgresFloor(args.dsn)
    if args.workload == "throughput":
        result = throughput(floor, jobs, min(args.single_jobs, jobs), args.batch_size)
    else:
        result = latency(floor, jobs, args.rate)
    result.update({"system": f"floor-{args.backend}", "workload": args.workload, "jobs": jobs})
    if args.backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(floor.path + suffix):
                os.remove(floor.path + suffix)
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
