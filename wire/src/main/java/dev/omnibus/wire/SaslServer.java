package dev.omnibus.wire;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * Server side of the D-Bus SASL exchange (spec: "Authentication Protocol"). A pure state machine: the
 * connection feeds it the bytes it receives and sends what {@link #takeOutput()} returns. No I/O.
 *
 * <p>States: {@link State#WAITING_FOR_NUL} until the credentials-passing NUL byte; then
 * {@link State#AUTHENTICATING} (waiting for AUTH, or inside a mechanism's DATA exchange);
 * {@link State#WAITING_FOR_BEGIN} after OK; {@link State#AUTHENTICATED} once the BEGIN line has been
 * consumed (the next byte is the first D-Bus message); {@link State#FAILED} when the peer must be
 * disconnected (after flushing any pending output). Both end states are final: feed consumes nothing.
 *
 * <p>Behaviour follows dbus-daemon 1.14.10, checked by experiment: a first byte other than NUL, BEGIN
 * before OK, or a line longer than {@link #MAX_LINE} disconnect; the 6th REJECTED is sent and then the
 * peer is disconnected ({@link #MAX_REJECTIONS}); unknown commands get {@code ERROR "Unknown command"}
 * and do not count. Deliberate differences: EXTERNAL is neither offered nor accepted when the peer's
 * uid is unknown (TCP; dbus-daemon lists it and lets an empty response through when anonymous is
 * allowed), and odd-length hex is an error (dbus-daemon ignores the dangling digit).
 *
 * <p>Confined to the thread that owns the connection (the bus thread). Allocates per line, which is
 * fine: a connection authenticates once.
 */
public final class SaslServer {

    public enum Mechanism { EXTERNAL, DBUS_COOKIE_SHA1, ANONYMOUS }

    public enum State { WAITING_FOR_NUL, AUTHENTICATING, WAITING_FOR_BEGIN, AUTHENTICATED, FAILED }

    /**
     * Longest line (without CRLF) we buffer. libdbus's dbus-auth.c disconnects once more than 16 KiB
     * (MAX_BUFFER) of unterminated input is buffered; dbus-daemon 1.14.10 kept a 16384-byte partial
     * line and dropped a 17000-byte one.
     */
    public static final int MAX_LINE = 16 * 1024;
    /** libdbus's default max_failures: the 6th REJECTED is followed by a disconnect. */
    public static final int MAX_REJECTIONS = 6;
    /** The only context libdbus uses for DBUS_COOKIE_SHA1 (spec: "DBUS_COOKIE_SHA1"). */
    public static final String COOKIE_CONTEXT = "org_freedesktop_general";
    /** Bytes of server challenge randomness (libdbus also sends 24 random bytes, hex-encoded). */
    private static final int CHALLENGE_BYTES = 24;
    /** Longest ANONYMOUS trace libdbus accepts (dbus-auth.c: 256 bytes, UTF-8). */
    private static final int MAX_ANONYMOUS_TRACE = 256;

    /** Created on the first DBUS_COOKIE_SHA1 challenge: SecureRandom's provider set-up costs ~15 ms at start-up. */
    private static final class Challenges {
        static final SecureRandom RANDOM = new SecureRandom();
    }
    private static final HexFormat HEX = HexFormat.of();

    private final String guidHex;
    private final Set<Mechanism> allowed;
    private final long peerUid;
    private final boolean unixFdCapable;
    private final SaslCookieSource cookies;
    private final byte[] rejectedLine;

    /** The line being received; starts small (SASL lines are short) and grows up to MAX_LINE + 1 (the CR). */
    private byte[] line = new byte[256];
    private int lineLength;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream(128);

    private State state = State.WAITING_FOR_NUL;
    /** Mechanism whose DATA exchange is in progress (AUTHENTICATING), or the one that succeeded. */
    private Mechanism mechanism;
    private int rejections;
    private boolean unixFdNegotiated;
    private long authenticatedUid = -1;
    private String failureReason;
    /** DBUS_COOKIE_SHA1 exchange in progress: claimed uid, cookie id and the challenge we sent. */
    private long cookieUid;
    private long cookieId;
    private String serverChallenge;

    public SaslServer(String guidHex, Set<Mechanism> allowed, long peerUid, boolean unixFdCapable,
                      SaslCookieSource cookies) {
        this.guidHex = guidHex;
        this.allowed = allowed.isEmpty() ? EnumSet.noneOf(Mechanism.class) : EnumSet.copyOf(allowed);
        this.peerUid = peerUid;
        this.unixFdCapable = unixFdCapable;
        this.cookies = cookies;
        StringBuilder sb = new StringBuilder("REJECTED");
        for (Mechanism m : Mechanism.values()) {
            if (offered(m)) {
                sb.append(' ').append(m.name());
            }
        }
        this.rejectedLine = sb.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    private boolean offered(Mechanism m) {
        return allowed.contains(m)
                && (m != Mechanism.EXTERNAL || peerUid >= 0)
                && (m != Mechanism.DBUS_COOKIE_SHA1 || cookies != null);
    }

    /**
     * Consumes received bytes up to and including the BEGIN line, so that on
     * {@link State#AUTHENTICATED} the caller knows the first D-Bus message starts at
     * {@code off + returned}. On {@link State#FAILED} the rest is not consumed either.
     *
     * @return how many bytes of {@code in[off, off+len)} were consumed
     */
    public int feed(MemorySegment in, long off, int len) {
        int i = 0;
        while (i < len) {
            switch (state) {
                case AUTHENTICATED, FAILED -> {
                    return i;
                }
                case WAITING_FOR_NUL -> {
                    byte b = in.get(ValueLayout.JAVA_BYTE, off + i++);
                    if (b != 0) {
                        fail("first byte is not the credentials NUL byte");
                        return i;
                    }
                    state = State.AUTHENTICATING;
                }
                default -> {
                    byte b = in.get(ValueLayout.JAVA_BYTE, off + i++);
                    if (b == '\n' && lineLength > 0 && line[lineLength - 1] == '\r') {
                        String text = new String(line, 0, lineLength - 1, StandardCharsets.ISO_8859_1);
                        lineLength = 0;
                        handleLine(text);
                    } else if (lineLength >= MAX_LINE && (b != '\r' || lineLength > MAX_LINE)) {
                        fail("line longer than " + MAX_LINE + " bytes");
                        return i;
                    } else {
                        if (lineLength == line.length) {
                            line = java.util.Arrays.copyOf(line, Math.min(line.length * 2, MAX_LINE + 1));
                        }
                        line[lineLength++] = b;
                    }
                }
            }
        }
        return i;
    }

    public State state() {
        return state;
    }

    public boolean hasOutput() {
        return output.size() > 0;
    }

    /** The bytes to send now (possibly several lines); clears the pending output. */
    public byte[] takeOutput() {
        byte[] out = output.toByteArray();
        output.reset();
        return out;
    }

    public boolean unixFdNegotiated() {
        return unixFdNegotiated;
    }

    /** The authenticated uid; -1 for ANONYMOUS or before authentication. */
    public long authenticatedUid() {
        return authenticatedUid;
    }

    /** The mechanism that succeeded (or is in progress); null before any. */
    public Mechanism mechanism() {
        return mechanism;
    }

    /** Why the state is {@link State#FAILED}; null otherwise. */
    public String failureReason() {
        return failureReason;
    }

    // ---- commands ----

    private void handleLine(String text) {
        int sp = text.indexOf(' ');
        String command = sp < 0 ? text : text.substring(0, sp);
        String args = sp < 0 ? "" : stripLeadingSpaces(text.substring(sp + 1));
        boolean inExchange = state == State.AUTHENTICATING && mechanism != null;
        switch (command) {
            case "AUTH" -> {
                if (state == State.WAITING_FOR_BEGIN) {
                    error("Sent AUTH while expecting BEGIN");
                } else if (inExchange) {
                    error("Sent AUTH while another AUTH in progress");
                } else {
                    auth(args);
                }
            }
            case "DATA" -> {
                if (state == State.WAITING_FOR_BEGIN) {
                    error("Sent DATA while expecting BEGIN");
                } else if (!inExchange) {
                    error("Not currently in an auth conversation");
                } else {
                    data(args);
                }
            }
            case "CANCEL" -> {
                if (state == State.WAITING_FOR_BEGIN || inExchange) {
                    reject();
                } else {
                    error("Not currently in an auth conversation");
                }
            }
            case "ERROR" -> reject();
            case "BEGIN" -> {
                if (state == State.WAITING_FOR_BEGIN) {
                    state = State.AUTHENTICATED;
                } else {
                    fail("BEGIN before authentication succeeded");
                }
            }
            case "NEGOTIATE_UNIX_FD" -> {
                if (state != State.WAITING_FOR_BEGIN) {
                    error("Need to authenticate first");
                } else if (!unixFdCapable) {
                    error("Unix FD passing not supported, not authenticated or otherwise not possible");
                } else {
                    unixFdNegotiated = true;
                    send("AGREE_UNIX_FD");
                }
            }
            default -> error("Unknown command");
        }
    }

    private void auth(String args) {
        int sp = args.indexOf(' ');
        String mechName = sp < 0 ? args : args.substring(0, sp);
        String initial = sp < 0 ? null : stripLeadingSpaces(args.substring(sp + 1));
        Mechanism m = null;
        for (Mechanism candidate : Mechanism.values()) {
            if (candidate.name().equals(mechName) && offered(candidate)) {
                m = candidate;
            }
        }
        if (m == null) {
            reject();
            return;
        }
        byte[] response = null;
        if (initial != null) {
            response = hexDecode(initial);
            if (response == null) {
                error("Invalid hex encoding");
                return;
            }
        }
        mechanism = m;
        step(response);
    }

    private void data(String args) {
        byte[] response = hexDecode(args);
        if (response == null) {
            error("Invalid hex encoding");
            return;
        }
        step(response);
    }

    /** One step of the current mechanism; {@code response} null = no initial response given. */
    private void step(byte[] response) {
        switch (mechanism) {
            case EXTERNAL -> {
                if (response == null) {
                    send("DATA");
                    return;
                }
                if (response.length == 0) {
                    ok(peerUid); // empty response: whatever the socket credentials say
                    return;
                }
                long claimed = parseUid(response);
                if (claimed >= 0 && claimed == peerUid) {
                    ok(peerUid);
                } else {
                    reject();
                }
            }
            case ANONYMOUS -> {
                if (response == null || (response.length <= MAX_ANONYMOUS_TRACE && isUtf8(response))) {
                    ok(-1);
                } else {
                    reject();
                }
            }
            case DBUS_COOKIE_SHA1 -> cookieStep(response);
        }
    }

    private void cookieStep(byte[] response) {
        if (serverChallenge == null) {
            // First step: the response names the user (libdbus sends the uid in decimal).
            long claimed = response == null ? -1 : parseUid(response);
            if (claimed < 0 || (peerUid >= 0 && claimed != peerUid)) {
                reject();
                return;
            }
            SaslCookie cookie = cookies.currentCookie(COOKIE_CONTEXT, claimed);
            if (cookie == null) {
                reject();
                return;
            }
            byte[] challenge = new byte[CHALLENGE_BYTES];
            Challenges.RANDOM.nextBytes(challenge);
            cookieUid = claimed;
            cookieId = cookie.id();
            serverChallenge = HEX.formatHex(challenge);
            String data = COOKIE_CONTEXT + " " + cookie.id() + " " + serverChallenge;
            send("DATA " + HEX.formatHex(data.getBytes(StandardCharsets.US_ASCII)));
            return;
        }
        // Second step: "client_challenge sha1hex".
        String text = response == null ? "" : new String(response, StandardCharsets.ISO_8859_1);
        int sp = text.indexOf(' ');
        if (sp <= 0 || sp == text.length() - 1) {
            reject();
            return;
        }
        String clientChallenge = text.substring(0, sp);
        String digest = text.substring(sp + 1);
        SaslCookie cookie = cookies.cookie(COOKIE_CONTEXT, cookieUid, cookieId);
        if (cookie == null) {
            reject();
            return;
        }
        String expected = sha1Hex(serverChallenge + ":" + clientChallenge + ":" + cookie.hexValue());
        if (MessageDigest.isEqual(expected.getBytes(StandardCharsets.ISO_8859_1),
                digest.getBytes(StandardCharsets.ISO_8859_1))) {
            ok(cookieUid);
        } else {
            reject();
        }
    }

    private void ok(long uid) {
        authenticatedUid = uid;
        clearExchange();
        state = State.WAITING_FOR_BEGIN;
        send("OK " + guidHex);
    }

    private void reject() {
        mechanism = null;
        authenticatedUid = -1;
        unixFdNegotiated = false;
        clearExchange();
        state = State.AUTHENTICATING;
        output.writeBytes(rejectedLine);
        if (++rejections >= MAX_REJECTIONS) {
            fail("too many failed authentication attempts (" + MAX_REJECTIONS + ")");
        }
    }

    private void clearExchange() {
        serverChallenge = null;
        cookieId = 0;
        cookieUid = -1;
    }

    private void error(String message) {
        send("ERROR \"" + message + "\"");
    }

    private void fail(String reason) {
        state = State.FAILED;
        failureReason = reason;
    }

    private void send(String lineText) {
        output.writeBytes(lineText.getBytes(StandardCharsets.US_ASCII));
        output.write('\r');
        output.write('\n');
    }

    // ---- helpers ----

    private static String stripLeadingSpaces(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return s.substring(i);
    }

    /** Decodes hex (either case); null when malformed or of odd length. */
    static byte[] hexDecode(String s) {
        if ((s.length() & 1) != 0) {
            return null;
        }
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = Address.hexValue(s.charAt(2 * i));
            int lo = Address.hexValue(s.charAt(2 * i + 1));
            if (hi < 0 || lo < 0) {
                return null;
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    /** Parses an ASCII decimal uid; -1 when not a plain non-negative decimal number below 2^32. */
    private static long parseUid(byte[] text) {
        if (text.length == 0 || text.length > 10) {
            return -1;
        }
        long v = 0;
        for (byte b : text) {
            if (b < '0' || b > '9') {
                return -1;
            }
            v = v * 10 + (b - '0');
        }
        return v <= 0xffff_ffffL ? v : -1;
    }

    private static boolean isUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    static String sha1Hex(String s) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every JDK", e);
        }
    }
}
