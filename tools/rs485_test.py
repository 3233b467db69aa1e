#!/usr/bin/env python3
"""The runbook's RS485 check (`sudo python3 tools/rs485_test.py`), now a thin wrapper over rs485-probe.

Without arguments it scans the vehicle bus (/dev/ttyOHT485) and reports the modules it finds; any
arguments are passed to `rs485-probe` instead (e.g. `bench --addr 3 --count 1000`). The daemon holds
the port while it runs: stop it first (`sudo systemctl stop oht50-firmware`), or rs485-probe exits 3
and names it.
"""
import os
import shutil
import sys

here = os.path.dirname(os.path.abspath(__file__))
candidates = [shutil.which("rs485-probe"), os.path.join(here, "..", ".build", "release", "rs485-probe"),
              os.path.join(here, "..", ".build", "debug", "rs485-probe")]
probe = next((c for c in candidates if c and os.access(c, os.X_OK)), None)
if probe is None:
    sys.exit("rs485_test.py: rs485-probe is not installed (tools/install.sh) nor built (swift build)")
arguments = sys.argv[1:] or ["scan", "--to", "16"]
os.execv(probe, [probe] + arguments)
