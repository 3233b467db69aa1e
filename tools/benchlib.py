"""Shared pieces of tools/bench and tools/soak: building, starting the simulator and the daemon on a
private directory and port, HTTP, /proc readings. Not a test helper: these are the user's tools."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(REPO, ".build", "release")
TOKEN = "bench-token-" + os.urandom(8).hex()


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def build_release(products=("oht50d", "oht50-sim", "rs485-probe")):
    """Release binaries, as the vehicle runs them (tools/install.sh builds the same way)."""
    for product in products:
        log(f"swift build -c release --product {product}")
        subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=REPO, check=True,
                       stdout=subprocess.DEVNULL)


def binary(name):
    return os.path.join(RELEASE, name)


class Workdir:
    def __init__(self, prefix):
        self.path = tempfile.mkdtemp(prefix=prefix)

    def file(self, name):
        return os.path.join(self.path, name)

    def write(self, name, text):
        path = self.file(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def remove(self):
        shutil.rmtree(self.path, ignore_errors=True)


class Child:
    """A process whose output is collected; stopped (SIGTERM, then SIGKILL) by stop()."""

    def __init__(self, argv, env=None, stdin=False):
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("OHT50_")}
        full_env.update(env or {})
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=full_env)
        self.lines = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_for(self, pattern, timeout=60):
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    m = rx.search(line)
                    if m:
                        return m
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise RuntimeError(f"{pattern!r} not seen; output:\n" + "\n".join(self.lines[-30:]))
                self.cond.wait(min(left, 0.5))

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    @property
    def pid(self):
        return self.proc.pid

    def stop(self, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def start_sim(work, modules="power@2,motor@3", fifo_priority=60):
    """oht50-sim on a pty, at SCHED_FIFO below the daemon's threads so a busy machine does not make the
    simulated modules miss the 20 ms response timeout (a real module is its own CPU)."""
    link = work.file("ttyOHT485")
    argv = [binary("oht50-sim"), "--link", link, "--modules", modules]
    if fifo_priority:
        argv = ["chrt", "-f", str(fifo_priority)] + argv
    sim = Child(argv, stdin=True)
    sim.wait_for("type help")
    return sim, link


def vehicle_config(work, port_link=None, extra=""):
    """A daemon config on private files: E-stop and motion-enable as sysfs-style value files."""
    estop = work.write("gpio59/value", "1\n")
    motion = work.write("gpio131/value", "0\n")
    text = f"""safety:
  reset_release_ms: 50
estop:
  backend: sysfs
  sysfs_path: {estop}
outputs:
  motion_enable:
    backend: sysfs
    sysfs_path: {motion}
http:
  port: 0
  reset_min_interval_ms: 0
storage:
  data_dir: {work.file("data")}
"""
    if port_link:
        text += f"bus:\n  port: {port_link}\n"
    else:
        text += "modules: []\n"
    text += extra
    return work.write("firmware.yaml", text), estop, motion


def start_daemon(config_path, extra_args=(), env=None):
    # The control socket beside the config: private to this run, not /run/oht50 of the machine.
    socket = os.path.join(os.path.dirname(config_path), "control.sock")
    daemon = Child([binary("oht50d"), "run", "--config", config_path, "--control-socket", socket, *extra_args],
                   env={"OHT50_API_TOKEN": TOKEN, **(env or {})})
    port = int(daemon.wait_for(r'msg="HTTP listening".* port=(\d+)').group(1))
    return daemon, Http(port)


class Http:
    def __init__(self, port):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"

    def request(self, method, path, body=None, token=False, timeout=10):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {TOKEN}"
        data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def get(self, path):
        return self.request("GET", path)[1]

    def state(self):
        return self.get("/api/v1/safety/status")["state"]

    def wait_state(self, states, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.state()
            if s in states:
                return s
            time.sleep(0.005)
        raise RuntimeError(f"state {self.state()} never became one of {states}")

    def wait_reset_allowed(self, timeout=10):
        """Until the daemon says a reset would be accepted (the E-stop released for the configured
        safety.reset_release_ms, whatever the config says), instead of sleeping a guess of it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.get("/api/v1/safety/status")
            if status and status.get("reset_allowed"):
                return True
            time.sleep(0.005)
        return False

    def events(self, after=0):
        out = []
        while True:
            page = self.get(f"/api/v1/events?after={after}&limit=1000")
            out += page["events"]
            if len(page["events"]) < 1000:
                return out
            after = page["next_after"]


def write_in_place(path, text):
    """As `echo 0 > /sys/class/gpio/gpio59/value` reaches a sysfs file: same length, no truncation."""
    fd = os.open(path, os.O_WRONLY)
    try:
        os.pwrite(fd, text.encode(), 0)
    finally:
        os.close(fd)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, int(-(-len(ordered) * fraction // 1)))
    return ordered[min(rank, len(ordered)) - 1]
