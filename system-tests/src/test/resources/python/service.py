#!/usr/bin/python3
"""A dbus-python test service: owns NAME (argv[1], default org.omnibus.Test) and exports
/org/omnibus/Test with interface org.omnibus.Test:
  Echo(s) -> s, EchoBytes(ay) -> ay, Emit(s) emits signal Pinged(s), ReadFd(h) -> s (reads the fd to EOF),
  Hang() never replies, Quit() exits.
Prints 'READY <unique name>' once the name is owned. Uses the session bus address from the
environment, or DBUS_STARTER_ADDRESS when activated."""
import os
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

IFACE = 'org.omnibus.Test'


class Test(dbus.service.Object):
    @dbus.service.method(IFACE, in_signature='s', out_signature='s')
    def Echo(self, s):
        return s

    @dbus.service.method(IFACE, in_signature='ay', out_signature='ay', byte_arrays=True)
    def EchoBytes(self, data):
        return data

    @dbus.service.method(IFACE, in_signature='s', out_signature='')
    def Emit(self, s):
        self.Pinged(s)

    @dbus.service.signal(IFACE, signature='s')
    def Pinged(self, s):
        pass

    @dbus.service.method(IFACE, in_signature='h', out_signature='s')
    def ReadFd(self, fd):
        with os.fdopen(fd.take(), 'rb') as f:
            return f.read().decode()

    @dbus.service.method(IFACE, in_signature='', out_signature='', async_callbacks=('ok', 'err'))
    def Hang(self, ok, err):
        pass  # never replies: callers see NoReply after their timeout

    @dbus.service.method(IFACE, in_signature='', out_signature='')
    def Quit(self):
        GLib.idle_add(loop.quit)


DBusGMainLoop(set_as_default=True)
name = sys.argv[1] if len(sys.argv) > 1 else 'org.omnibus.Test'
address = os.environ.get('DBUS_STARTER_ADDRESS') or os.environ['DBUS_SESSION_BUS_ADDRESS']
bus = dbus.bus.BusConnection(address)
obj = Test(bus, '/org/omnibus/Test')
bus_name = dbus.service.BusName(name, bus, do_not_queue=True)
print('READY', bus.get_unique_name(), flush=True)
loop = GLib.MainLoop()
loop.run()
