package dev.omnibus.transport;

import sun.misc.Signal;

/**
 * Hands POSIX signals to an {@link EventLoop}: a sun.misc.Signal handler (run by the JVM on its own
 * signal-dispatch thread) only calls {@link EventLoop#execute}, so the action runs on the loop
 * thread. This replaces signalfd, which needs the signal blocked in every JVM thread. Cold path.
 */
final class SignalBridge {
    private SignalBridge() {}

    static void install(EventLoop loop, String name, Runnable action) {
        Signal.handle(new Signal(name), sig -> loop.execute(action));
    }
}
