#!/usr/bin/python3
"""A well-behaved pair of clients that keeps working while bad peers come and go: connection A
calls GetNameOwner and emits a Tick signal in a loop; connection B counts the Ticks it receives.
Prints 'READY' once running; on 'stop' (stdin) drains and prints
'calls <n> errors <n> sent <n> received <n>'."""
import os
import select
import sys

import dbus
import dbus.lowlevel
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)
address = os.environ['DBUS_SESSION_BUS_ADDRESS']
a = dbus.bus.BusConnection(address)
b = dbus.bus.BusConnection(address)
state = {'calls': 0, 'errors': 0, 'sent': 0, 'received': 0, 'stopping': False}
b.add_signal_receiver(lambda: state.__setitem__('received', state['received'] + 1),
                      'Tick', 'org.omnibus.Soak', None, '/org/omnibus/Soak')
loop = GLib.MainLoop()


def step():
    if state['stopping']:
        if state['received'] >= state['sent']:
            loop.quit()
        return True
    try:
        owner = a.call_blocking('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                                'GetNameOwner', 's', (b.get_unique_name(),), timeout=10)
        state['calls' if owner == b.get_unique_name() else 'errors'] += 1
    except dbus.exceptions.DBusException as e:
        print('error', e.get_dbus_name(), flush=True)
        state['errors'] += 1
    a.send_message(dbus.lowlevel.SignalMessage('/org/omnibus/Soak', 'org.omnibus.Soak', 'Tick'))
    state['sent'] += 1
    if select.select([sys.stdin], [], [], 0)[0]:
        sys.stdin.readline()
        state['stopping'] = True
        GLib.timeout_add(10000, loop.quit)
    return True


GLib.timeout_add(5, step)
print('READY', flush=True)
loop.run()
print('calls', state['calls'], 'errors', state['errors'], 'sent', state['sent'],
      'received', state['received'], flush=True)
