package dev.omnibus.transport;

/**
 * Called by the {@link EventLoop} thread when a registered fd is ready ({@code events} is a mask of
 * {@link EventLoop#READABLE}, {@link EventLoop#WRITABLE}, {@link EventLoop#HANGUP},
 * {@link EventLoop#ERROR}) or when the handler put itself on the ready list with
 * {@link EventLoop#markReady} ({@code events == }{@link EventLoop#RESUME}). Edge-triggered: a
 * handler must read/write until EAGAIN, or mark itself ready to continue next iteration.
 */
@FunctionalInterface
public interface EventHandler {
    void onReady(int events);
}
