package dev.omnibus.broker;

import dev.omnibus.transport.Timer;

/**
 * Expires pending method calls after reply_timeout: one loop timer armed at the earliest deadline
 * of the {@link ReplyRegistry}, so the cost does not grow with the number of calls in flight.
 *
 * <p>Bus thread only.
 */
final class ReplyTimer {
    private final Bus bus;
    private Timer timer;
    private long armedFor = Long.MAX_VALUE;

    ReplyTimer(Bus bus) { this.bus = bus; }

    /** Makes sure a timer fires no later than the registry's earliest deadline. */
    void arm() {
        long next = bus.replies.nextDeadline();
        if (next == Long.MAX_VALUE || next >= armedFor) return; // MAX_VALUE: nothing can time out
        if (timer != null) timer.cancel();
        armedFor = next;
        timer = bus.loop.schedule(Math.max(0, next - bus.loop.nanoTime()), this::fire);
    }

    private void fire() {
        timer = null;
        armedFor = Long.MAX_VALUE;
        bus.replies.expire(bus.loop.nanoTime(), (caller, serial) -> {
            Peer p = bus.peer(caller);
            if (p != null) {
                bus.driver.sendError(p, serial, DBusErrors.NO_REPLY, ReplyRegistry.TIMEOUT_MESSAGE);
            }
        });
        arm();
    }
}
