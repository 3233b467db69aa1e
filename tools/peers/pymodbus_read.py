#!/usr/bin/env python3
"""Reads holding registers with pymodbus' client and prints them as JSON, or {"error": ...}.

    python3 tools/peers/pymodbus_read.py PORT ADDRESS START COUNT
"""
import json
import logging
import sys

from pymodbus.client import ModbusSerialClient


def main():
    logging.getLogger("pymodbus").setLevel(logging.CRITICAL)
    port, address, start, count = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0), int(sys.argv[4], 0)
    client = ModbusSerialClient(port, baudrate=115200, timeout=0.5, retries=0)
    if not client.connect():
        print(json.dumps({"error": f"cannot open {port}"}))
        return 2
    try:
        result = client.read_holding_registers(start, count=count, device_id=address)
    except Exception as error:  # pymodbus raises ModbusIOException on silence
        print(json.dumps({"error": str(error)}))
        return 1
    finally:
        client.close()
    if result.isError():
        print(json.dumps({"error": str(result)}))
        return 1
    print(json.dumps({"registers": result.registers}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
