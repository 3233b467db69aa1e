#!/usr/bin/env python3
"""What tools/vehicle-vm does from this machine to the vehicle in the VM, and what it checks afterwards.

  vehicle_load.py presses --url URL --token TOKEN --button SOCKET --record FILE
      E-stop presses (over the VM's button port) and resets over HTTP until killed, while following the
      event stream; every acknowledgement the vehicle gives is appended to FILE as one JSON line at
      once: {"ack": "reset", "request_id": …} for a reset answered 200, {"ack": "event", "id": …,
      "kind": …} for each event the stream showed (the stream shows only committed rows).
  vehicle_load.py move --url URL --token TOKEN --button SOCKET
      Releases the E-stop, resets until ready, then keeps the drive moving (one move after the other,
      each renewing the 300 ms lease) until killed. Prints "moving" at the first accepted move.
  vehicle_load.py button --button SOCKET press|release|hang
      One command to the button port; returns once the guest answered.
  vehicle_load.py check --db DIR --record FILE...
      The database copied out of the image (DIR holds firmware.db and its -wal): PRAGMA integrity_check,
      then every acknowledgement in the records looked up. Prints one JSON line with the counts and
      whatever is lost; exit 0 only when the file is intact and nothing acknowledged is lost.

The button port is the guest's virtio console "oht50.button" (a unix socket here): one line per command,
"press", "release" or "hang", answered "ok <command>" by the guest's oht50-vm-button service.
Only the standard library: it runs beside qemu on the CI machine as it comes.
"""

import argparse
import http.client
import json
import os
import random
import socket
import sqlite3
import sys
import threading
import time
import urllib.parse


class Button:
    """The E-stop button in the guest, over qemu's virtio console socket."""

    def __init__(self, path):
        self.path = path
        self.sock = None
        self.buffer = b""

    def send(self, command, timeout=30.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.sock is None:
                    self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    self.sock.settimeout(5)
                    self.sock.connect(self.path)
                    self.buffer = b""
                self.sock.sendall(command.encode() + b"\n")
                while b"\n" not in self.buffer:
                    chunk = self.sock.recv(256)
                    if not chunk:
                        raise OSError("the button port closed")
                    self.buffer += chunk
                line, self.buffer = self.buffer.split(b"\n", 1)
                if line.decode(errors="replace").strip() == "ok " + command:
                    return
                raise OSError(f"the button answered {line!r} to {command!r}")
            except OSError:
                if self.sock is not None:
                    self.sock.close()
                    self.sock = None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


class Vehicle:
    """The daemon's HTTP API through the forwarded port."""

    def __init__(self, url, token):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.token = token

    def request(self, method, path, body=None, timeout=10):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            headers = {"Authorization": "Bearer " + self.token}
            if body is not None:
                headers["Content-Type"] = "application/json"
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            return response.status, dict(response.getheaders()), data
        finally:
            conn.close()

    def state(self):
        try:
            status, _, data = self.request("GET", "/api/v1/safety/status", timeout=5)
            return json.loads(data).get("state") if status == 200 else None
        except (OSError, ValueError, http.client.HTTPException):
            return None

    def reset(self):
        """(status, request id, event_stored, Retry-After) of one attempt; Nones when there was no answer."""
        try:
            status, headers, data = self.request("POST", "/api/v1/safety/reset")
        except (OSError, http.client.HTTPException):
            return None, None, None, None
        stored = None
        try:
            stored = json.loads(data).get("event_stored")
        except ValueError:
            pass
        lowered = {k.lower(): v for k, v in headers.items()}
        return status, lowered.get("x-request-id"), stored, lowered.get("retry-after")


class Record:
    """Acknowledgements, one JSON line each, on disk before the next request is made."""

    def __init__(self, path):
        self.file = open(path, "a", encoding="utf-8")
        self.lock = threading.Lock()

    def add(self, **entry):
        entry["at"] = time.time()
        with self.lock:
            self.file.write(json.dumps(entry) + "\n")
            self.file.flush()
            os.fsync(self.file.fileno())


def follow_stream(vehicle, record, stop):
    """Every event the stream shows, recorded by id; reconnects with Last-Event-ID."""
    last = None
    while not stop.is_set():
        conn = http.client.HTTPConnection(vehicle.host, vehicle.port, timeout=10)
        try:
            headers = {} if last is None else {"Last-Event-ID": str(last)}
            conn.request("GET", "/api/v1/stream", headers=headers)
            response = conn.getresponse()
            if response.status != 200:
                raise OSError(f"stream answered {response.status}")
            kind, data, event_id = None, None, None
            while not stop.is_set():
                line = response.readline()
                if not line:
                    break
                line = line.decode(errors="replace").rstrip("\r\n")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif line.startswith("id: "):
                    event_id = int(line[4:])
                elif line == "":
                    if kind == "event" and data is not None:
                        event = json.loads(data)
                        record.add(ack="event", id=event["id"], kind=event["kind"])
                        last = event["id"] if event_id is None else event_id
                    kind, data, event_id = None, None, None
        except (OSError, ValueError, http.client.HTTPException):
            time.sleep(0.5)
        finally:
            conn.close()


def presses(args):
    vehicle = Vehicle(args.url, args.token)
    button = Button(args.button)
    record = Record(args.record)
    stop = threading.Event()
    threading.Thread(target=follow_stream, args=(vehicle, record, stop), daemon=True).start()
    while True:
        button.send("press")
        deadline = time.monotonic() + 60
        while vehicle.state() != "estop" and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(random.uniform(0, 0.5))
        button.send("release")
        # A reset is accepted once the E-stop has read released for reset_release_ms; until then 409.
        for _ in range(100):
            status, request_id, stored, retry_after = vehicle.reset()
            if status == 200:
                record.add(ack="reset", request_id=request_id, event_stored=stored)
                break
            if status == 429:
                time.sleep(float(retry_after or 1))
            else:
                time.sleep(0.3)
        time.sleep(random.uniform(0, 1))


def move(args):
    vehicle = Vehicle(args.url, args.token)
    Button(args.button).send("release")
    while vehicle.state() not in ("ready", "moving"):
        result = vehicle.reset()
        time.sleep(float(result[3] or 0.5) if result[0] == 429 else 0.5)
    # A move renews the 300 ms lease. Under TCG one request can take longer than that, so they follow each
    # other without a pause, on one kept-alive connection.
    body = json.dumps({"speed": 50, "direction": "forward"})
    headers = {"Authorization": "Bearer " + vehicle.token, "Content-Type": "application/json"}
    said = False
    conn = None
    while True:
        try:
            if conn is None:
                conn = http.client.HTTPConnection(vehicle.host, vehicle.port, timeout=5)
            conn.request("POST", "/api/v1/motion/move", body=body, headers=headers)
            response = conn.getresponse()
            answer = response.read()
            if response.status == 200 and not said:
                print("moving", flush=True)
                said = True
            elif response.status != 200:
                print(f"move answered {response.status}: {answer[:200]!r}", flush=True)
                time.sleep(0.2)
        except (OSError, http.client.HTTPException):
            if conn is not None:
                conn.close()
            conn = None
            time.sleep(0.2)


def button(args):
    Button(args.button).send(args.press)


def check(args):
    db = sqlite3.connect(os.path.join(args.db, "firmware.db"))
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    rows = db.execute("SELECT id, kind, source FROM events").fetchall()
    kinds = {row[0]: row[1] for row in rows}
    accepted = {row[2].split(" ")[-1] for row in rows if row[1] == "reset_accepted" and row[2]}
    resets, events, lost = set(), {}, []
    for path in args.record:
        with open(path, encoding="utf-8") as f:
            for line in f:
                entry = json.loads(line)
                if entry["ack"] == "reset":
                    resets.add(entry["request_id"])
                else:
                    events[entry["id"]] = entry["kind"]
    lost += [f"reset {r} (answered 200)" for r in sorted(resets) if r not in accepted]
    lost += [f"event {i} {k} (shown in the stream)" for i, k in sorted(events.items()) if kinds.get(i) != k]
    print(json.dumps({
        "integrity_check": integrity, "events_in_db": len(rows), "acknowledged_resets": len(resets),
        "acknowledged_events": len(events), "lost": lost,
        "starts": sum(1 for row in rows if row[1] == "start"),
    }), flush=True)
    return 0 if integrity == "ok" and not lost else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("presses", "move"):
        p = sub.add_parser(name)
        p.add_argument("--url", required=True)
        p.add_argument("--token", required=True)
        p.add_argument("--button", required=True)
        if name == "presses":
            p.add_argument("--record", required=True)
    b = sub.add_parser("button")
    b.add_argument("--button", required=True)
    b.add_argument("press", choices=["press", "release", "hang"])
    c = sub.add_parser("check")
    c.add_argument("--db", required=True)
    c.add_argument("--record", nargs="+", required=True)
    args = parser.parse_args()
    try:
        return {"presses": presses, "move": move, "button": button, "check": check}[args.command](args) or 0
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
