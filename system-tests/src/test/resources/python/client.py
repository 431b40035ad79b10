#!/usr/bin/python3
"""dbus-python test client; argv[1] picks the scenario, results are printed as 'key value' lines
for the Java test to assert on. The service (service.py) owns org.omnibus.Test."""
import os
import sys

import dbus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)
ADDRESS = os.environ['DBUS_SESSION_BUS_ADDRESS']
NAME, PATH, IFACE = 'org.omnibus.Test', '/org/omnibus/Test', 'org.omnibus.Test'
bus = dbus.bus.BusConnection(ADDRESS)
loop = GLib.MainLoop()


def out(*words):
    print(*words, flush=True)


def run_loop_until(cond, seconds=10):
    def timeout():
        loop.quit()
        return False
    t = GLib.timeout_add(int(seconds * 1000), timeout)
    def check():
        if cond():
            loop.quit()
            return False
        return True
    GLib.timeout_add(10, check)
    loop.run()
    GLib.source_remove(t) if cond() else None


def error_name(fn):
    try:
        fn()
        return 'none'
    except dbus.exceptions.DBusException as e:
        return e.get_dbus_name()


def call():
    proxy = bus.get_object(NAME, PATH)
    out('echo', proxy.Echo('hello omnibus', dbus_interface=IFACE))
    out('owner', bus.get_name_owner(NAME).startswith(':'))


def signal():
    got = []
    bus.add_signal_receiver(lambda s: got.append(str(s)), 'Pinged', IFACE, NAME, PATH)
    bus.get_object(NAME, PATH).Emit('ping-1', dbus_interface=IFACE)
    run_loop_until(lambda: got)
    out('signal', got[0] if got else 'none')


def fd():
    r, w = os.pipe()
    os.write(w, b'through a pipe')
    os.close(w)
    result = bus.get_object(NAME, PATH).ReadFd(dbus.types.UnixFd(r), dbus_interface=IFACE)
    os.close(r)
    out('fd', result)


def errors():
    proxy = bus.get_object(NAME, PATH)
    out('noreply', error_name(lambda: proxy.Hang(dbus_interface=IFACE, timeout=1.0)))
    out('unknown', error_name(lambda: bus.call_blocking(
        'org.omnibus.Missing', '/', 'org.omnibus.Missing', 'Nothing', '', ())))
    out('nomethod', error_name(lambda: proxy.NoSuchMethod(dbus_interface=IFACE)))


def name_owner_changed():
    seen = []
    bus.add_signal_receiver(lambda n, old, new: seen.append((str(n), str(old), str(new))),
                            'NameOwnerChanged', 'org.freedesktop.DBus', 'org.freedesktop.DBus',
                            '/org/freedesktop/DBus')
    other = dbus.bus.BusConnection(ADDRESS)
    unique = other.get_unique_name()
    other.request_name('org.omnibus.Ephemeral', dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
    run_loop_until(lambda: any(s[0] == 'org.omnibus.Ephemeral' for s in seen))
    other.close()
    run_loop_until(lambda: any(s[0] == unique and s[2] == '' for s in seen))
    for n, old, new in seen:
        if n in ('org.omnibus.Ephemeral', unique):
            role = lambda x: 'other' if x == unique else ('none' if x == '' else x)
            out('noc', 'unique' if n == unique else n, role(old), role(new))


def byte_arrays():
    """Byte arrays of many sizes (large ones cross Omnibus in kernel pipes) come back byte-exact."""
    proxy = bus.get_object(NAME, PATH)
    sizes = [0, 1, 4096, 40000, 65536, 100000, 300000, 1 << 20, (1 << 20) + 12345, 3 << 20]
    ok = 0
    for i in range(3):
        for size in sizes:
            data = os.urandom(size)
            back = proxy.EchoBytes(dbus.ByteArray(data), dbus_interface=IFACE, byte_arrays=True)
            if bytes(back) == data:
                ok += 1
            else:
                out('mismatch', size, len(back))
    out('bytes', ok, 'of', 3 * len(sizes))


def credentials():
    import os
    c = bus.call_blocking('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                          'GetConnectionCredentials', 's', (bus.get_unique_name(),))
    out('uid', 'self' if int(c['UnixUserID']) == os.getuid() else c['UnixUserID'])
    out('pid', 'self' if int(c['ProcessID']) == os.getpid() else c['ProcessID'])
    out('gid', 'listed' if os.getgid() in [int(g) for g in c.get('UnixGroupIDs', [])] else 'missing')
    if 'ProcessFD' in c:
        n = c['ProcessFD'].take()
        with open('/proc/self/fdinfo/%d' % n) as f:
            pid = int(f.read().split('Pid:')[1].split()[0])
        out('pidfd', 'self' if pid == os.getpid() else pid)
    else:
        out('pidfd', 'absent')


{'call': call, 'signal': signal, 'fd': fd, 'errors': errors, 'nameowner': name_owner_changed,
 'credentials': credentials, 'bytes': byte_arrays}[sys.argv[1]]()
