package dev.omnibus.daemon;

import dev.omnibus.transport.BoundAddress;
import dev.omnibus.transport.ErrnoException;
import dev.omnibus.transport.Listener;
import dev.omnibus.transport.Listeners;
import dev.omnibus.wire.Address;
import dev.omnibus.wire.AddressEntry;
import dev.omnibus.wire.AddressException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns {@code <listen>} / {@code --address} text into bound listeners, and listeners back into
 * the address a client connects to (with {@code guid=}). Cold path, main thread before the loop runs.
 */
final class ListenAddresses {
    private ListenAddresses() {}

    /** Why an address could not be listened on; the message is what the daemon prints. */
    static final class ListenException extends Exception {
        ListenException(String message) { super(message); }
    }

    /** Binds every entry of every address; on failure closes what it had bound. */
    static List<Listener> bind(List<String> addresses) throws ListenException {
        List<Listener> out = new ArrayList<>();
        try {
            for (String text : addresses) {
                List<AddressEntry> entries;
                try {
                    entries = Address.parse(text);
                } catch (AddressException e) {
                    throw new ListenException("Failed to parse address \"" + text + "\": " + e.getMessage());
                }
                for (AddressEntry e : entries) out.addAll(bindOne(e));
            }
            return out;
        } catch (ListenException e) {
            for (Listener l : out) l.close();
            throw e;
        }
    }

    private static List<Listener> bindOne(AddressEntry e) throws ListenException {
        try {
            switch (e.transport()) {
                case "unix" -> {
                    if (e.get("path") != null) return List.of(Listeners.unixPath(Path.of(e.get("path"))));
                    if (e.get("abstract") != null) return List.of(Listeners.unixAbstract(e.get("abstract")));
                    if (e.get("tmpdir") != null) return List.of(Listeners.unixTmpdir(Path.of(e.get("tmpdir"))));
                    if (e.get("dir") != null) return List.of(Listeners.unixDir(Path.of(e.get("dir"))));
                    if ("yes".equals(e.get("runtime"))) return List.of(Listeners.unixRuntime());
                    throw new ListenException("Address \"" + e + "\" needs one of path, abstract, tmpdir, dir, runtime=yes");
                }
                case "tcp", "nonce-tcp" -> {
                    if (e.transport().equals("nonce-tcp")) {
                        throw new ListenException("nonce-tcp addresses are not supported");
                    }
                    String port = e.get("port");
                    int p;
                    try {
                        p = port == null ? 0 : Integer.parseInt(port);
                    } catch (NumberFormatException x) {
                        throw new ListenException("Invalid port \"" + port + "\" in address \"" + e + "\"");
                    }
                    return Listeners.tcp(e.get("host"), e.get("bind"), p, e.get("family"));
                }
                case "systemd" -> {
                    List<Listener> l = Listeners.systemd();
                    if (l.isEmpty()) throw new ListenException("No sockets were passed by systemd (LISTEN_FDS)");
                    return l;
                }
                default -> throw new ListenException("Unknown address type (examples of valid types are \"tcp\" and on UNIX \"unix\")");
            }
        } catch (ErrnoException x) {
            throw new ListenException("Failed to listen on \"" + e + "\": " + x.getMessage());
        }
    }

    /** The address clients use for {@code l}: {@code unix:path=...,guid=...} and so on. */
    static String connectAddress(Listener l, String guid) {
        BoundAddress a = l.address();
        String base = switch (a.kind()) {
            case UNIX_PATH -> "unix:path=" + Address.escape(a.path());
            case UNIX_ABSTRACT -> "unix:abstract=" + Address.escape(a.abstractName());
            case TCP -> "tcp:host=" + Address.escape(a.host()) + ",port=" + a.port()
                    + (a.family() != null ? ",family=" + a.family() : "");
        };
        return base + ",guid=" + guid;
    }
}
