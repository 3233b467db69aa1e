#!/usr/bin/env python3
"""An independent Modbus RTU server (pymodbus) serving the OHT-50 power module (address 2) and drive
(address 3) register maps on a serial port, for conformance tests of oht50d's bus layer.

    python3 tools/peers/pymodbus_server.py PORT [--baud 115200]
    python3 tools/peers/pymodbus_server.py --tcp TCP_PORT    (Modbus TCP on 127.0.0.1, a bench gateway)

A faulty drive, for the tests that must not depend on the drive behaving:
    --drive-set REG=VALUE        the drive starts with this register set (repeatable), e.g. 0x12=200
    --drive-refuse-writes A-B    the drive answers every write touching registers A..B with exception 2
                                 (illegal data address) and applies none of it, e.g. 0x00-0x0F (channel 1)

The drive implements DESIGN's host watchdog: 0x0D (ms, 0 = off) written by the master arms it; only
writes of enable, speed or direction (0x01/0x02/0x07/0x11/0x12/0x17) refresh it; on expiry the drive
sets enable 0 and speed 0 on both channels and status 0x0B bit 15 (cleared by the next write of
0x0D) and prints "host watchdog expired: drive stopped".

Values served (holding registers): power 0x0000 voltage 241 (24.1 V), 0x0001 current 37 (3.7 A),
0x0002 temperature 298 (29.8 °C), 0x0004 relay 1 status 1; identity block 0x00F0–0x00FF with module type
codes 2 and 3 at 0x00F7. The drive reads as stopped with PID gain 1.50 on both channels.
"""
import argparse
import logging
import threading
import time

from pymodbus.constants import ExcCodes
from pymodbus.datastore import ModbusDeviceContext, ModbusSequentialDataBlock, ModbusServerContext
from pymodbus.server import StartSerialServer, StartTcpServer


def identity(address, type_code, name):
    regs = [0] * 16
    regs[0x0] = 0x7000 | address          # device id
    regs[0x1] = 0x0203                    # firmware 2.3
    regs[0x7] = type_code                 # module type
    regs[0x8] = (ord(name[0]) << 8) | ord(name[1])
    regs[0x9] = (ord(name[2]) << 8) | ord(name[3])
    regs[0xA] = 0x0101                    # hardware 1.1
    regs[0xB], regs[0xC] = 0, 4242        # serial
    regs[0xD], regs[0xE] = 2024, (6 << 8) | 30
    return regs


class DriveBehaviour:
    """The drive's request hook (pymodbus' SimDevice action, called before a request is applied, with the
    drive's register list): DESIGN's host watchdog (0x0D), checked every 5 ms by a thread of its own,
    which also makes each channel's actual speed (0x06, 0x16) follow its command at once (enable 0x01
    with speed 0x02, else 0), and, with --drive-refuse-writes, exception 2 for writes touching those
    registers."""

    WATCHDOG, STATUS, EXPIRED = 0x0D, 0x0B, 1 << 15
    REFRESH = {0x01, 0x02, 0x07, 0x11, 0x12, 0x17}

    def __init__(self, refused=None):
        self.refused = refused
        self.registers = None  # the drive's holding registers, known from the first request
        self.start = 0
        self.last_control = time.monotonic()
        self.lock = threading.Lock()
        threading.Thread(target=self.watch, daemon=True).start()

    async def action(self, function_code, start_address, address, count, current_registers, set_values):
        with self.lock:
            self.registers, self.start = current_registers, start_address
            if set_values is None:
                return None
            touched = set(range(address, address + count))
            if self.refused and touched & set(range(self.refused[0], self.refused[1] + 1)):
                return ExcCodes.ILLEGAL_ADDRESS
            if touched & self.REFRESH or self.WATCHDOG in touched:
                self.last_control = time.monotonic()
            if self.WATCHDOG in touched:
                self.registers[self.STATUS - self.start] &= ~self.EXPIRED
        return None

    def watch(self):
        while True:
            time.sleep(0.005)
            with self.lock:
                r = self.registers
                if r is None:
                    continue
                for base in (0x00, 0x10):
                    enabled = r[base + 0x01 - self.start]
                    r[base + 0x06 - self.start] = r[base + 0x02 - self.start] if enabled else 0
                limit_ms = r[self.WATCHDOG - self.start]
                if not limit_ms or r[self.STATUS - self.start] & self.EXPIRED:
                    continue
                if (time.monotonic() - self.last_control) * 1000 <= limit_ms:
                    continue
                for base in (0x00, 0x10):
                    r[base + 0x01 - self.start] = 0
                    r[base + 0x02 - self.start] = 0
                r[self.STATUS - self.start] |= self.EXPIRED
            print("host watchdog expired: drive stopped", flush=True)


def device(address, type_code, name, low):
    values = [0] * 0x100
    values[: len(low)] = low
    values[0xF0:0x100] = identity(address, type_code, name)
    # pymodbus serves ModbusSequentialDataBlock(1, values) so that protocol address 0 is values[0].
    block = ModbusSequentialDataBlock(1, values)
    return ModbusDeviceContext(hr=block, ir=ModbusSequentialDataBlock(1, values))


def register_value(text):
    register, value = text.split("=")
    return int(register, 0), int(value, 0)


def register_range(text):
    first, last = text.split("-")
    return int(first, 0), int(last, 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", nargs="?")
    parser.add_argument("--tcp", type=int, help="serve Modbus TCP on 127.0.0.1:TCP instead")
    parser.add_argument("--baud", type=int, default=115200)
    parser.add_argument("--drive-set", type=register_value, action="append", default=[], metavar="REG=VALUE")
    parser.add_argument("--drive-refuse-writes", type=register_range, metavar="A-B")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("pymodbus").setLevel(logging.ERROR)

    power = [241, 37, 298, 0, 1, 0, 0, 0, 0]
    motor = [0] * 0x1D
    motor[0x08] = motor[0x18] = 150
    for register, value in args.drive_set:
        motor[register] = value
    drive = device(3, 3, "DRV1", motor)
    # Read by the server when it starts: set before it does.
    drive.simdevice.action = DriveBehaviour(refused=args.drive_refuse_writes).action
    context = ModbusServerContext(devices={2: device(2, 2, "PWR1", power), 3: drive}, single=False)
    if args.tcp:
        print(f"pymodbus server on tcp 127.0.0.1:{args.tcp}: power@2, motor@3", flush=True)
        StartTcpServer(context=context, address=("127.0.0.1", args.tcp))
    else:
        print(f"pymodbus server on {args.port}: power@2, motor@3", flush=True)
        StartSerialServer(context=context, port=args.port, baudrate=args.baud)


if __name__ == "__main__":
    main()
