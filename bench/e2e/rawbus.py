"""A minimal raw D-Bus client for the end-to-end scenarios: SASL EXTERNAL, Hello, pipelined
bus-driver calls (AddMatch) and nothing else.

Why not libdbus or dbus-python: the scenarios need hundreds of connections and thousands of
pipelined calls from one process with no main loop, and the same client cost for every daemon
under test. Only little-endian messages are built; replies are framed from the fixed header
(spec: "Message Format") and only their type byte is read.
"""
import os, socket, struct

T_CALL, T_RETURN, T_ERROR, T_SIGNAL = 1, 2, 3, 4
BUS = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")


def _pad(buf, align):
    buf.extend(b"\0" * (-len(buf) % align))


def _string(buf, s):
    b = s.encode()
    _pad(buf, 4)
    buf.extend(struct.pack("<I", len(b)) + b + b"\0")


def build_call(serial, dest, path, iface, member, sig="", body=b""):
    """A METHOD_CALL as bytes. Header field codes from the spec: PATH 1, INTERFACE 2, MEMBER 3,
    DESTINATION 6, SIGNATURE 8."""
    fields = bytearray()
    for code, kind, val in ((1, "o", path), (2, "s", iface), (3, "s", member), (6, "s", dest), (8, "g", sig)):
        if val is None or (kind == "g" and not val):
            continue
        _pad(fields, 8)                      # fields start at offset 16: alignment is relative
        fields.extend(bytes([code, 1, ord(kind), 0]))
        if kind == "g":
            b = val.encode()
            fields.extend(bytes([len(b)]) + b + b"\0")
        else:
            _string(fields, val)
    msg = bytearray(b"l" + bytes([T_CALL, 0, 1]) + struct.pack("<III", len(body), serial, len(fields)))
    msg.extend(fields)
    _pad(msg, 8)
    msg.extend(body)
    return bytes(msg)


def string_body(s):
    buf = bytearray()
    _string(buf, s)
    return bytes(buf)


class RawBus:
    """One authenticated connection. connect() raises OSError while the daemon is not up."""

    def __init__(self, path, timeout=30.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.buf = bytearray()
        self.serial = 0
        try:
            self.sock.connect(path)
            uid = str(os.getuid()).encode().hex().encode()
            self.sock.sendall(b"\0AUTH EXTERNAL " + uid + b"\r\n")
            line = self._line()
            if not line.startswith(b"OK"):
                raise OSError(f"SASL rejected: {line!r}")
            self.sock.sendall(b"BEGIN\r\n")
        except BaseException:
            self.sock.close()
            raise

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        i = self.buf.index(b"\r\n")
        line = bytes(self.buf[:i])
        del self.buf[:i + 2]
        return line

    def _fill(self):
        d = self.sock.recv(65536)
        if not d:
            raise OSError("connection closed by the bus")
        self.buf.extend(d)

    def next_message_type(self):
        """Reads one whole message and returns its type byte."""
        while True:
            if len(self.buf) >= 16:
                body_len, = struct.unpack_from("<I" if self.buf[0] == 0x6c else ">I", self.buf, 4)
                fields_len, = struct.unpack_from("<I" if self.buf[0] == 0x6c else ">I", self.buf, 12)
                total = 16 + fields_len + (-fields_len % 8) + body_len
                if len(self.buf) >= total:
                    t = self.buf[1]
                    del self.buf[:total]
                    return t
            self._fill()

    def send_call(self, member, sig="", body=b"", dest=BUS[0], path=BUS[1], iface=BUS[2]):
        self.serial += 1
        self.sock.sendall(build_call(self.serial, dest, path, iface, member, sig, body))

    def await_replies(self, n):
        """Waits for n replies (method returns or errors; signals skipped); returns the error count."""
        errors = 0
        while n:
            t = self.next_message_type()
            if t in (T_RETURN, T_ERROR):
                n -= 1
                errors += t == T_ERROR
        return errors

    def hello(self):
        self.send_call("Hello")
        if self.await_replies(1):
            raise OSError("Hello failed")
        return self

    def add_matches(self, rules):
        """Pipelines one AddMatch per rule, then waits for all replies; returns the error count."""
        out = bytearray()
        for r in rules:
            self.serial += 1
            out.extend(build_call(self.serial, *BUS, "AddMatch", "s", string_body(r)))
        self.sock.sendall(out)
        return self.await_replies(len(rules))

    def close(self):
        self.sock.close()
