#!/usr/bin/env python3
"""Yjs comparison peer: a pycrdt-websocket server with SQLite persistence, driven by
pycrdt "devices" over loopback WebSockets.

    python peer.py [--quick] [--only live-latency,concurrent-writers,initial-sync]
                   [--seed 7] [--runs 1]

Progress goes to stderr; one JSON object with the results goes to stdout at the end.

The server runs as a child process (this same file, started with --serve), bound to an
ephemeral port on 127.0.0.1: a pycrdt.websocket WebsocketServer behind its ASGIServer,
served by Hypercorn, each room backed by pycrdt.store's SQLiteYStore so that every
update the room applies is written to SQLite. Devices are pycrdt Docs synced through
pycrdt's Provider over httpx-ws WebSockets (pycrdt.websocket's HttpxWebsocket channel),
all in the bench process. Every workload gets a fresh server process and a fresh
SQLite database in a temporary directory.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial
from importlib.metadata import version as pkg_version
from typing import Any

import anyio
from anyio.streams.buffered import BufferedByteReceiveStream

from pycrdt import Doc, Map, Provider
from pycrdt.store import SQLiteYStore, YDocNotFound
from pycrdt.websocket import ASGIServer, WebsocketServer, YRoom, exception_logger
from pycrdt.websocket.websocket import HttpxWebsocket

WORKLOADS = ("live-latency", "concurrent-writers", "initial-sync")
FULL = {"rounds": 200, "devices": 20, "edits_per_device": 500, "annotations": 20_000}
QUICK = {"rounds": 10, "devices": 3, "edits_per_device": 20, "annotations": 500}
COLORS = ("yellow", "green", "blue", "pink", "purple", "orange")
PREFILL_BATCH = 100  # annotations per Y update when prefilling the initial-sync room
TIMEOUT_S = 600  # no single wait in a workload may take longer than this
STORE_INFO: dict[str, Any] = {}  # the server's SQLite settings, as read back from its database


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# Data: a reader's annotations, generated from a seeded RNG
# --------------------------------------------------------------------------------------

SYLLABLES = (
    "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo fu ga ge gi go gu ha he hi "
    "ho hu ja je jo ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi "
    "po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo wa we wi xo ya yo za "
    "zi zu an en in on ar er ir or al el il ol st tr pl gr br sh th ch"
).split()


class Generator:
    """Random words, sentences and annotation records; the same seed gives the same data."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.words = sorted(
            {
                "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(1, 4)))
                for _ in range(4000)
            }
        )

    def words_of_about(self, chars: int) -> str:
        out: list[str] = []
        length = -1
        while length < chars:
            word = self.rng.choice(self.words)
            out.append(word)
            length += len(word) + 1
        text = " ".join(out)
        if len(text) > chars + 8:  # keep it close to the target, on a word boundary
            text = text[: chars + 8].rsplit(" ", 1)[0]
        return text

    def record_id(self, prefix: str) -> str:
        return f"{prefix}{self.rng.getrandbits(64):016x}"

    def anchor(self, briefing: int) -> dict[str, Any]:
        exact = self.words_of_about(40)
        start = self.rng.randrange(0, 2400)
        return {
            "paragraphID": f"bench-{briefing:05d}-p{self.rng.randrange(24)}",
            "start": start,
            "end": start + len(exact),
            "exact": exact,
        }

    def highlight(self, briefing: int, color: str) -> dict[str, Any]:
        return {
            "kind": "highlight",
            "briefingID": f"bench-{briefing:05d}",
            "color": color,
            "anchor": self.anchor(briefing),
        }

    def note(self, briefing: int) -> dict[str, Any]:
        return {
            "kind": "note",
            "briefingID": f"bench-{briefing:05d}",
            "color": "yellow",
            "text": self.words_of_about(60),
            "anchor": self.anchor(briefing),
        }

    def annotations(self, count: int, per_briefing: int = 20) -> list[tuple[str, dict[str, Any]]]:
        """`count` annotations, `per_briefing` to a briefing, three highlights to each note."""
        out = []
        for index in range(count):
            briefing = index // per_briefing
            if index % 4 == 3:
                out.append((self.record_id("N"), self.note(briefing)))
            else:
                out.append((self.record_id("H"), self.highlight(briefing, COLORS[index % 6])))
        return out


def record_value(fields: dict[str, Any]) -> Map:
    """A record as a Y.Map of its fields (the anchor is one JSON value inside it)."""
    return Map(dict(fields))


def records_digest(records: Map) -> tuple[int, str]:
    """Number of records and a SHA-256 of their content, order-independent."""
    content = records.to_py() or {}
    blob = json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    return len(content), hashlib.sha256(blob).hexdigest()


def revs_digest(pairs) -> str:
    blob = ";".join(f"{key}={int(rev)}" for key, rev in sorted(pairs)).encode()
    return hashlib.sha256(blob).hexdigest()


# --------------------------------------------------------------------------------------
# Server side (child process): WebsocketServer + SQLiteYStore, Hypercorn, control pipe
# --------------------------------------------------------------------------------------


def sqlite_store_class(db_path: str) -> type[SQLiteYStore]:
    class BenchSQLiteYStore(SQLiteYStore):
        """SQLiteYStore on `db_path`, counting the writes it has finished."""

        writes_started = 0
        writes_done = 0
        last_write_done = 0.0

        async def write(self, data: bytes) -> None:
            self.writes_started += 1
            try:
                await super().write(data)
            finally:
                self.writes_done += 1
                self.last_write_done = time.monotonic()

    BenchSQLiteYStore.db_path = db_path
    return BenchSQLiteYStore


class PersistentWebsocketServer(WebsocketServer):
    """A WebsocketServer whose rooms are loaded from, and write every update to, SQLite.

    WebsocketServer.get_room() creates rooms without a store; this creates each room with
    a SQLiteYStore (one database, one `path` per room), applies what the store holds to
    the room's doc before the room starts observing it (so loading writes nothing back),
    and only then lets clients in.
    """

    def __init__(self, db_path: str, **kwargs):
        super().__init__(**kwargs)
        self.store_class = sqlite_store_class(db_path)
        self.stores: dict[str, SQLiteYStore] = {}
        self.messages_in: dict[str, int] = {}
        self.load_seconds: dict[str, float] = {}
        self._loaded: dict[str, anyio.Event] = {}

    async def get_room(self, name: str) -> YRoom:
        loaded = self._loaded.get(name)
        if loaded is None:
            self._loaded[name] = loaded = anyio.Event()
            started = time.monotonic()
            store = self.store_class(path=name, log=self.log)
            assert self._task_group is not None
            await self._task_group.start(store.start)
            ydoc = Doc()
            try:
                await store.apply_updates(ydoc)
            except YDocNotFound:
                pass
            room = YRoom(
                ready=True,
                ystore=store,
                ydoc=ydoc,
                exception_handler=self.exception_handler,
                log=self.log,
            )
            self.messages_in[name] = 0

            def count(message: bytes, name: str = name) -> bool:
                self.messages_in[name] += 1
                return False  # never skip

            room.on_message = count
            self.rooms[name] = room
            self.stores[name] = store
            await self.start_room(room)
            await room.ydoc_observed.wait()
            self.load_seconds[name] = time.monotonic() - started
            loaded.set()
        else:
            await loaded.wait()
        room = self.rooms[name]
        await self.start_room(room)
        return room


async def persisted(server: PersistentWebsocketServer, name: str) -> dict[str, Any]:
    """Wait until the room's store holds everything its doc holds; say when that was."""
    room, store = server.rooms[name], server.stores[name]
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        if store.writes_done == store.writes_started:
            fresh = Doc()
            try:
                await store.apply_updates(fresh)
            except YDocNotFound:
                pass
            # What the room has beyond the store's state; applying it to the doc loaded
            # from the store is a no-op (no transaction event) only if nothing is missing.
            # (It is never empty: an update always carries the whole delete set.)
            missing = room.ydoc.get_update(fresh.get_state())
            changed: list[bool] = []
            sub = fresh.observe(lambda event: changed.append(True))
            fresh.apply_update(missing)
            fresh.unobserve(sub)
            if not changed and store.writes_done == store.writes_started:
                break
        if time.monotonic() > deadline:
            raise TimeoutError(f"store of {name} never caught up with the room")
        await anyio.sleep(0.01)
    records = room.ydoc.get("records", type=Map)
    revs = [(key, value["rev"]) for key, value in records.items() if "rev" in value]
    db = sqlite3.connect(store.db_path)
    try:
        rows = db.execute("SELECT count(*) FROM yupdates WHERE path = ?", (name,)).fetchone()[0]
        checkpoints = db.execute("SELECT count(*) FROM ycheckpoints").fetchone()[0]
        journal = db.execute("PRAGMA journal_mode").fetchone()[0]
        synchronous = db.execute("PRAGMA synchronous").fetchone()[0]
    finally:
        db.close()
    return {
        "writes": store.writes_done,
        "last_write_done": store.last_write_done,
        "records": len(records),
        "revs_digest": revs_digest(revs),
        "sqlite_rows": rows,
        "sqlite_checkpoints": checkpoints,
        "sqlite_journal_mode": journal,
        "sqlite_synchronous": synchronous,
        "messages_in": server.messages_in.get(name, 0),
    }


def process_stats() -> dict[str, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_s": usage.ru_utime + usage.ru_stime, "peak_rss_mb": usage.ru_maxrss / 1024}


async def serve_main(db_path: str) -> None:
    from hypercorn import Config
    from hypercorn.asyncio import serve

    protocol_out = sys.stdout
    sys.stdout = sys.stderr  # nothing but protocol lines on the real stdout

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]

    config = Config()
    config.bind = [f"fd://{sock.fileno()}"]
    config.accesslog = None
    config.loglevel = "WARNING"
    config.backlog = 1024

    websocket_server = PersistentWebsocketServer(
        db_path, auto_clean_rooms=False, exception_handler=exception_logger
    )
    app = ASGIServer(websocket_server)
    shutdown = anyio.Event()

    def reply(obj: dict[str, Any]) -> None:
        protocol_out.write(json.dumps(obj) + "\n")
        protocol_out.flush()

    async with websocket_server, anyio.create_task_group() as tg:
        tg.start_soon(partial(serve, app, config, shutdown_trigger=shutdown.wait, mode="asgi"))
        reply({"port": port, "pid": os.getpid()})
        stdin = anyio.wrap_file(sys.stdin)
        async for line in stdin:
            request = json.loads(line)
            try:
                if request["cmd"] == "persisted":
                    answer = await persisted(websocket_server, request["room"])
                elif request["cmd"] == "stats":
                    answer = process_stats()
                    answer["load_seconds"] = websocket_server.load_seconds
                else:
                    answer = {"error": f"unknown command {request['cmd']!r}"}
            except Exception as exc:  # report, keep serving
                answer = {"error": repr(exc)}
            reply(answer)
        # stdin closed: the bench is done with us
        shutdown.set()
        with anyio.move_on_after(3):
            await anyio.sleep(0.2)
        tg.cancel_scope.cancel()


# --------------------------------------------------------------------------------------
# Bench side: server process handle, devices
# --------------------------------------------------------------------------------------


class ServerProcess:
    def __init__(self, process: anyio.abc.Process, reader: BufferedByteReceiveStream):
        self.process = process
        self.reader = reader
        self.port = 0

    async def read_line(self) -> dict[str, Any]:
        return json.loads(await self.reader.receive_until(b"\n", 1 << 24))

    async def ask(self, **request) -> dict[str, Any]:
        assert self.process.stdin is not None
        await self.process.stdin.send((json.dumps(request) + "\n").encode())
        with anyio.fail_after(TIMEOUT_S):
            answer = await self.read_line()
        if "error" in answer:
            raise RuntimeError(f"server: {answer['error']}")
        if request["cmd"] == "persisted":
            STORE_INFO.update(
                journal_mode=answer["sqlite_journal_mode"],
                synchronous={0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(
                    answer["sqlite_synchronous"], answer["sqlite_synchronous"]
                ),
            )
        return answer

    def url(self, room: str) -> str:
        return f"http://127.0.0.1:{self.port}{room}"


@asynccontextmanager
async def server_process(db_path: str):
    process = await anyio.open_process(
        [sys.executable, os.path.abspath(__file__), "--serve", db_path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None,
    )
    assert process.stdout is not None and process.stdin is not None
    server = ServerProcess(process, BufferedByteReceiveStream(process.stdout))
    try:
        with anyio.fail_after(60):
            hello = await server.read_line()
        server.port = hello["port"]
        log(f"server pid {hello['pid']} on 127.0.0.1:{server.port}, db {db_path}")
        yield server
    finally:
        await process.stdin.aclose()
        with anyio.move_on_after(15):
            await process.wait()
        if process.returncode is None:
            process.terminate()
            with anyio.move_on_after(5):
                await process.wait()
        if process.returncode is None:
            process.kill()


class Device:
    """One client: a pycrdt Doc with a Y.Map "records", synced through a Provider."""

    def __init__(self, name: str):
        self.name = name
        self.doc = Doc()
        self.records = self.doc.get("records", type=Map)
        self.provider: Provider | None = None

    async def connect(self, stack: AsyncExitStack, server: ServerProcess, room: str) -> None:
        from httpx_ws import aconnect_ws

        # httpx-ws pings every 20 s and, by default, closes the connection when a pong
        # takes more than 20 s; under the concurrent-writers load a device's backlog of
        # received messages can exceed that, so keep the pings but drop the deadline.
        websocket = await stack.enter_async_context(
            aconnect_ws(server.url(room), keepalive_ping_timeout_seconds=None)
        )
        self.provider = Provider(self.doc, HttpxWebsocket(websocket, room))
        await stack.enter_async_context(self.provider)

    async def synced(self) -> None:
        assert self.provider is not None
        with anyio.fail_after(TIMEOUT_S):
            await self.provider.synced.wait()


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def rounded(x: float, digits: int = 3) -> float:
    return float(f"{x:.{digits}f}")


# --------------------------------------------------------------------------------------
# Workload 1: live latency
# --------------------------------------------------------------------------------------


async def live_latency(tmp: str, rounds: int, seed: int) -> dict[str, Any]:
    room = "/live-latency"
    gen = Generator(seed)
    seeded = gen.annotations(20)
    async with server_process(os.path.join(tmp, "live-latency.db")) as server:
        async with AsyncExitStack() as stack:
            a, b = Device("A"), Device("B")
            await a.connect(stack, server, room)
            await b.connect(stack, server, room)
            await a.synced()
            await b.synced()

            # A reader's few annotations, made on A, arrive on B before the rounds start.
            arrived = anyio.Event()

            def on_seed(event) -> None:
                if len(b.records) >= len(seeded):
                    arrived.set()

            sub = b.records.observe(on_seed)
            with a.doc.transaction():
                for key, fields in seeded:
                    a.records[key] = record_value(fields)
            with anyio.fail_after(TIMEOUT_S):
                await arrived.wait()
            b.records.unobserve(sub)

            key = next(k for k, fields in seeded if fields["kind"] == "highlight")
            expected: dict[str, Any] = {"color": None, "event": None, "at": 0.0}

            def on_change(events) -> None:
                for event in events:
                    if event.path and event.path[0] == key:
                        change = event.keys.get("color")
                        if change is not None and change.get("newValue") == expected["color"]:
                            expected["at"] = time.perf_counter()
                            expected["event"].set()

            sub = b.records.observe_deep(on_change)
            samples: list[float] = []
            log(f"live-latency: {rounds} rounds")
            for index in range(rounds):
                current = a.records[key]["color"]
                color = COLORS[(COLORS.index(current) + 1 + index % 5) % len(COLORS)]
                expected["color"], expected["event"] = color, anyio.Event()
                started = time.perf_counter()
                a.records[key]["color"] = color  # one local transaction on A
                with anyio.fail_after(TIMEOUT_S):
                    await expected["event"].wait()
                samples.append((expected["at"] - started) * 1000)
            b.records.unobserve(sub)
            assert b.records[key]["color"] == a.records[key]["color"]
        state = await server.ask(cmd="persisted", room=room)
        stats = await server.ask(cmd="stats")

    ordered = sorted(samples)
    return {
        "p50": rounded(percentile(ordered, 50)),
        "p99": rounded(percentile(ordered, 99)),
        "mean": rounded(statistics.fmean(ordered)),
        "min": rounded(ordered[0]),
        "max": rounded(ordered[-1]),
        "rounds": rounds,
        "server_sqlite_rows": state["sqlite_rows"],
        "server_peak_rss_mb": rounded(stats["peak_rss_mb"], 1),
    }


# --------------------------------------------------------------------------------------
# Workload 2: concurrent writers
# --------------------------------------------------------------------------------------


def writer_scripts(devices: int, edits: int, seed: int):
    """Each device's edits on keys of its own: insert a highlight, or recolour one it made.

    Every edit sets the record's `rev` to the edit's index on that device, so a record's
    final `rev` says whether the last edit to it has been applied.
    """
    gen = Generator(seed)
    scripts: list[list[tuple[str, str, Any]]] = []
    expected: dict[str, int] = {}
    for device in range(devices):
        own: list[str] = []
        script = []
        for rev in range(edits):
            if not own or gen.rng.random() < 0.5:
                key = f"H{device:02x}{gen.rng.getrandbits(56):014x}"
                fields = gen.highlight(device * 1000 + len(own), gen.rng.choice(COLORS))
                fields["rev"] = rev
                script.append(("insert", key, fields))
                own.append(key)
            else:
                key = gen.rng.choice(own)
                script.append(("recolor", key, (gen.rng.choice(COLORS), rev)))
            expected[key] = rev
        scripts.append(script)
    return scripts, expected


class ConvergenceTracker:
    """Counts, on one doc, the records whose final `rev` has arrived."""

    def __init__(self, records: Map, expected: dict[str, int]):
        self.expected = expected
        self.remaining = set(expected)
        self.done = anyio.Event()
        self.done_at = 0.0
        self.subscription = records.observe_deep(self.on_events)

    def check(self, key: str, rev: Any) -> None:
        if rev is not None and key in self.remaining and int(rev) == self.expected[key]:
            self.remaining.discard(key)
            if not self.remaining:
                self.done_at = time.monotonic()
                self.done.set()

    def on_events(self, events) -> None:
        for event in events:
            if event.path:  # a change inside one record
                change = event.keys.get("rev")
                if change is not None:
                    self.check(event.path[0], change.get("newValue"))
            else:  # records added to the map
                for key, change in event.keys.items():
                    value = change.get("newValue")
                    if isinstance(value, Map):
                        self.check(key, value.get("rev"))


async def concurrent_writers(tmp: str, devices: int, edits: int, seed: int) -> dict[str, Any]:
    room = "/concurrent-writers"
    scripts, expected = writer_scripts(devices, edits, seed)
    expected_digest = revs_digest(expected.items())
    total = devices * edits
    async with server_process(os.path.join(tmp, "concurrent-writers.db")) as server:
        before = await server.ask(cmd="stats")
        async with AsyncExitStack() as stack:
            clients = [Device(f"D{i:02d}") for i in range(devices)]
            for client in clients:
                await client.connect(stack, server, room)
            for client in clients:
                await client.synced()
            trackers = [ConvergenceTracker(c.records, expected) for c in clients]
            go = anyio.Event()

            async def write(client: Device, script) -> None:
                await go.wait()
                records = client.records
                for op, key, arg in script:
                    if op == "insert":
                        records[key] = record_value(arg)
                    else:
                        color, rev = arg
                        with client.doc.transaction():
                            record = records[key]
                            record["color"] = color
                            record["rev"] = rev
                    await anyio.sleep(0)  # let the provider send, and others write

            log(f"concurrent-writers: {devices} devices x {edits} edits")
            async with anyio.create_task_group() as tg:
                for client, script in zip(clients, scripts):
                    tg.start_soon(write, client, script)
                await anyio.sleep(0.05)
                started = time.monotonic()
                go.set()
            writes_done = time.monotonic()
            with anyio.fail_after(TIMEOUT_S):
                for tracker in trackers:
                    await tracker.done.wait()
            converged = max(t.done_at for t in trackers)
            seconds = converged - started
            for client in clients:
                revs = [(k, v["rev"]) for k, v in client.records.items()]
                assert len(revs) == len(expected), (client.name, len(revs), len(expected))
                assert revs_digest(revs) == expected_digest, client.name
            log(f"concurrent-writers: converged in {seconds:.2f} s, waiting for SQLite")
        state = await server.ask(cmd="persisted", room=room)
        after = await server.ask(cmd="stats")
    assert state["records"] == len(expected) and state["revs_digest"] == expected_digest
    return {
        "devices": devices,
        "edits_per_device": edits,
        "edits_per_s": rounded(total / seconds, 1),
        "seconds": rounded(seconds),
        "local_edits_seconds": rounded(writes_done - started),
        "persisted_seconds": rounded(max(state["last_write_done"], converged) - started),
        "records": len(expected),
        "server_messages_in": state["messages_in"],
        "server_sqlite_writes": state["writes"],
        "server_cpu_s": rounded(after["cpu_s"] - before["cpu_s"], 2),
        "server_peak_rss_mb": rounded(after["peak_rss_mb"], 1),
    }


# --------------------------------------------------------------------------------------
# Workload 3: initial sync
# --------------------------------------------------------------------------------------


async def prefill(db_path: str, room: str, annotations: int, seed: int) -> tuple[int, str, int]:
    """Write a reader's annotations into the room's SQLite store, as the room would have:
    one Y update per batch of PREFILL_BATCH annotations, each through SQLiteYStore.write."""
    gen = Generator(seed)
    doc = Doc()
    records = doc.get("records", type=Map)
    updates: list[bytes] = []
    sub = doc.observe(lambda event: updates.append(event.update))
    items = gen.annotations(annotations)
    for start in range(0, len(items), PREFILL_BATCH):
        with doc.transaction():
            for key, fields in items[start : start + PREFILL_BATCH]:
                records[key] = record_value(fields)
    doc.unobserve(sub)
    store = sqlite_store_class(db_path)(path=room)
    async with store:
        for update in updates:
            await store.write(update)
    count, digest = records_digest(records)
    return count, digest, len(doc.get_update())


async def fresh_device_sync(server: ServerProcess, room: str, annotations: int, name: str):
    """Seconds from opening the connection until the device's doc holds every record."""
    device = Device(name)
    complete = anyio.Event()
    done_at = [0.0]

    def on_records(event) -> None:
        if len(device.records) >= annotations and not complete.is_set():
            done_at[0] = time.monotonic()
            complete.set()

    device.records.observe(on_records)
    async with AsyncExitStack() as stack:
        started = time.monotonic()
        await device.connect(stack, server, room)
        with anyio.fail_after(TIMEOUT_S):
            await complete.wait()
        seconds = done_at[0] - started
        await device.synced()
    return seconds, device


async def initial_sync(tmp: str, annotations: int, seed: int) -> dict[str, Any]:
    room = "/initial-sync"
    db_path = os.path.join(tmp, "initial-sync.db")
    log(f"initial-sync: prefilling the SQLite store with {annotations} annotations")
    setup_started = time.monotonic()
    count, digest, update_bytes = await prefill(db_path, room, annotations, seed)
    setup_seconds = time.monotonic() - setup_started
    db_bytes = os.path.getsize(db_path)
    log(f"initial-sync: prefilled in {setup_seconds:.1f} s ({db_bytes} bytes on disk)")
    async with server_process(db_path) as server:
        log("initial-sync: fresh device, room cold (loaded from SQLite on connect)")
        cold, device = await fresh_device_sync(server, room, annotations, "fresh-1")
        assert records_digest(device.records) == (count, digest)
        stats = await server.ask(cmd="stats")
        log("initial-sync: second fresh device, room already in memory")
        warm, device = await fresh_device_sync(server, room, annotations, "fresh-2")
        assert records_digest(device.records) == (count, digest)
        state = await server.ask(cmd="persisted", room=room)  # the store still matches the room
        assert state["records"] == count
    return {
        "annotations": annotations,
        "seconds": rounded(cold),
        "warm_seconds": rounded(warm),
        "server_load_seconds": rounded(stats["load_seconds"][room]),
        "update_bytes": update_bytes,
        "sqlite_bytes": db_bytes,
        "prefill_updates": math.ceil(annotations / PREFILL_BATCH),
    }


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version}
    for name in (
        "pycrdt",
        "pycrdt-websocket",
        "pycrdt-store",
        "hypercorn",
        "httpx-ws",
        "wsproto",
        "anyio",
    ):
        out[name] = pkg_version(name)
    return out


async def bench_main(args: argparse.Namespace) -> dict[str, Any]:
    sizes = QUICK if args.quick else FULL
    selected = WORKLOADS if args.only is None else tuple(args.only)
    result: dict[str, Any] = {
        "peer": "yjs",
        "versions": versions(),
        "quick": args.quick,
        "seed": args.seed,
        "machine": {"cpus": os.cpu_count(), "loadavg_1m_at_start": round(os.getloadavg()[0], 2)},
        "store": STORE_INFO,
    }
    STORE_INFO.update(
        {"class": "pycrdt.store.SQLiteYStore", "checkpoint_interval": SQLiteYStore.checkpoint_interval}
    )
    # workload -> (result key, headline figure, how to run it once)
    table = {
        "live-latency": (
            "live_latency_ms",
            "p50",
            lambda tmp: live_latency(tmp, sizes["rounds"], args.seed),
        ),
        "concurrent-writers": (
            "concurrent_writers",
            "seconds",
            lambda tmp: concurrent_writers(
                tmp, sizes["devices"], sizes["edits_per_device"], args.seed
            ),
        ),
        "initial-sync": (
            "initial_sync",
            "seconds",
            lambda tmp: initial_sync(tmp, sizes["annotations"], args.seed),
        ),
    }
    for name in selected:
        key, headline, run_once = table[name]
        started = time.monotonic()
        runs = []
        for run in range(args.runs):
            tmp = tempfile.mkdtemp(prefix="yjs-peer-")
            try:
                runs.append(await run_once(tmp))
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            if args.runs > 1:
                log(f"{name}: run {run + 1}/{args.runs}: {headline} {runs[-1][headline]}")
        # With several runs, report the run whose headline figure is the median (the
        # lower middle one for an even count), with every run's figure beside it.
        ordered = sorted(runs, key=lambda r: r[headline])
        chosen = dict(ordered[(len(ordered) - 1) // 2])
        if args.runs > 1:
            chosen["runs"] = args.runs
            chosen[f"all_{headline}"] = [r[headline] for r in runs]
        result[key] = chosen
        log(f"{name}: done in {time.monotonic() - started:.1f} s")
    return result


def parse_only(value: str) -> list[str]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown workload(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(WORKLOADS)}"
        )
    return names


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        anyio.run(serve_main, sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument(
        "--only", type=parse_only, metavar="LIST", help=f"comma-separated: {','.join(WORKLOADS)}"
    )
    parser.add_argument("--seed", type=int, default=7, help="data seed (default 7)")
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        metavar="N",
        help="run each workload N times and report the median run (default 1)",
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    started = time.monotonic()
    result = anyio.run(bench_main, args)
    log(f"all done in {time.monotonic() - started:.1f} s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
