"""A Modbus slave for the poller's tests (pymodbus 3.0): serves preset registers and bits until killed.

Usage: modbus-slave.py '<json>' where the JSON is
  {"mode": "tcp" | "rtu-over-tcp" | "serial", "port": 0, "path": "/dev/pts/3",
   "units": {"1": {"holding": {"0": 1234}, "input": {}, "coils": {"0": 1}, "discrete": {}}}}
Addresses are zero-based, as on the wire; an address not listed answers exception 2 (illegal data address).
Prints "PORT <n>" (tcp modes, the port it bound) or "READY" (serial) once it answers requests.
"""
import asyncio
import json
import logging
import sys

from pymodbus.datastore import ModbusServerContext, ModbusSlaveContext, ModbusSparseDataBlock
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.framer.socket_framer import ModbusSocketFramer
from pymodbus.server.async_io import ModbusSerialServer, ModbusTcpServer

logging.basicConfig(level=logging.CRITICAL)


def block(values):
    # A sparse block answers exception 2 for any address it does not hold. An empty one still needs a key, so it
    # holds one far out of the tests' way.
    data = {int(k): int(v) for k, v in (values or {}).items()}
    return ModbusSparseDataBlock(data or {65535: 0})


def context(units):
    slaves = {}
    for unit, tables in units.items():
        slaves[int(unit)] = ModbusSlaveContext(
            di=block(tables.get("discrete")), co=block(tables.get("coils")),
            hr=block(tables.get("holding")), ir=block(tables.get("input")), zero_mode=True,
        )
    return ModbusServerContext(slaves=slaves, single=False)


async def main(config):
    ctx = context(config["units"])
    mode = config.get("mode", "tcp")
    if mode == "serial":
        server = ModbusSerialServer(ctx, framer=ModbusRtuFramer, port=config["path"], baudrate=config.get("baudrate", 9600))
        await server.start()
        print("READY", flush=True)
        await asyncio.Event().wait()
    framer = ModbusRtuFramer if mode == "rtu-over-tcp" else ModbusSocketFramer
    server = ModbusTcpServer(ctx, framer=framer, address=("127.0.0.1", int(config.get("port", 0))), allow_reuse_address=True)
    task = asyncio.create_task(server.serve_forever())
    await server.serving
    print(f"PORT {server.server.sockets[0].getsockname()[1]}", flush=True)
    await task


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
