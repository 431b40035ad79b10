package dev.omnibus.transport;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventLoopTest {

    @Test
    void timersFireInDeadlineOrderAndCancelledOnesDoNot() throws Exception {
        try (EventLoop loop = new EventLoop()) {
            List<String> fired = new ArrayList<>();
            loop.schedule(30_000_000, () -> fired.add("30ms"));
            loop.schedule(10_000_000, () -> fired.add("10ms"));
            Timer cancelled = loop.schedule(15_000_000, () -> fired.add("cancelled"));
            loop.schedule(20_000_000, () -> fired.add("20ms-a"));
            loop.schedule(20_000_000, () -> fired.add("20ms-b"));
            long start = System.nanoTime();
            loop.schedule(40_000_000, loop::stop);
            assertTrue(cancelled.cancel());
            assertFalse(cancelled.cancel());
            loop.run();
            assertEquals(List.of("10ms", "20ms-a", "20ms-b", "30ms"), fired);
            assertTrue(System.nanoTime() - start >= 40_000_000, "did not fire early");
        }
    }

    @Test
    void executeFromAnotherThreadWakesABlockedLoop() throws Exception {
        try (EventLoop loop = new EventLoop()) {
            Thread t = Thread.ofPlatform().start(loop::run);
            Thread.sleep(100); // the loop is now blocked in epoll_wait with no timeout
            CountDownLatch ran = new CountDownLatch(1);
            AtomicBoolean onLoop = new AtomicBoolean();
            long sent = System.nanoTime();
            loop.execute(() -> {
                onLoop.set(loop.inLoopThread());
                ran.countDown();
            });
            assertTrue(ran.await(2, TimeUnit.SECONDS));
            assertTrue(System.nanoTime() - sent < 500_000_000L, "woken promptly");
            assertTrue(onLoop.get());
            loop.stop();
            t.join(2000);
            assertFalse(t.isAlive());
        }
    }

    @Test
    void idleLoopUsesNoCpu() throws Exception {
        try (EventLoop loop = new EventLoop()) {
            Thread t = Thread.ofPlatform().start(loop::run);
            Thread.sleep(50);
            var mx = ManagementFactory.getThreadMXBean();
            long cpu0 = mx.getThreadCpuTime(t.threadId());
            Thread.sleep(500);
            long cpu1 = mx.getThreadCpuTime(t.threadId());
            loop.stop();
            t.join(2000);
            assertTrue(cpu1 - cpu0 < 20_000_000L, "idle loop burnt " + (cpu1 - cpu0) / 1000 + " us CPU in 500 ms");
        }
    }

    @Test
    void markedReadyHandlerResumesNextIterationWithoutBlocking() throws Exception {
        try (EventLoop loop = new EventLoop()) {
            List<Integer> calls = new ArrayList<>();
            EventHandler[] h = new EventHandler[1];
            h[0] = ev -> {
                calls.add(ev);
                if (calls.size() < 5) loop.markReady(h[0]);
                else loop.stop();
            };
            loop.execute(() -> loop.markReady(h[0]));
            long start = System.nanoTime();
            loop.run();
            assertEquals(List.of(EventLoop.RESUME, EventLoop.RESUME, EventLoop.RESUME, EventLoop.RESUME, EventLoop.RESUME), calls);
            assertTrue(System.nanoTime() - start < 1_000_000_000L);
        }
    }

    @Test
    void readableAndHangupEventsReachTheRegisteredHandler() throws Exception {
        StreamSocket[] p = StreamSocket.pair();
        try (EventLoop loop = new EventLoop()) {
            List<Integer> events = new ArrayList<>();
            assertEquals(0, loop.register(p[1].fd(), EventLoop.READABLE, ev -> {
                events.add(ev);
                if ((ev & EventLoop.HANGUP) != 0) loop.stop();
            }));
            assertEquals(-Errno.EEXIST, loop.register(p[1].fd(), EventLoop.READABLE, ev -> { }));
            TestIo.writeFully(p[0], new byte[] {1});
            loop.schedule(20_000_000, p[0]::close);
            loop.run();
            assertTrue((events.getFirst() & EventLoop.READABLE) != 0);
            assertTrue((events.getLast() & EventLoop.HANGUP) != 0);
            assertEquals(0, loop.unregister(p[1].fd()));
            assertEquals(-Errno.ENOENT, loop.unregister(p[1].fd()));
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void handlerExceptionIsReportedAndTheLoopGoesOn() throws Exception {
        try (EventLoop loop = new EventLoop()) {
            AtomicLong reported = new AtomicLong();
            loop.setErrorHandler((where, t) -> reported.incrementAndGet());
            loop.execute(() -> { throw new IllegalStateException("bug in a handler"); });
            loop.schedule(1_000_000, loop::stop);
            loop.run();
            assertEquals(1, reported.get());
        }
    }

    @Test
    void sighupIsDeliveredOnTheLoopThread() throws Exception {
        try (EventLoop loop = new EventLoop()) {
            AtomicBoolean onLoop = new AtomicBoolean();
            CountDownLatch got = new CountDownLatch(1);
            loop.onSignal("HUP", () -> {
                onLoop.set(loop.inLoopThread());
                got.countDown();
                loop.stop();
            });
            Thread t = Thread.ofPlatform().start(loop::run);
            Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid())).start();
            assertEquals(0, kill.waitFor());
            assertTrue(got.await(5, TimeUnit.SECONDS));
            assertTrue(onLoop.get());
            t.join(2000);
        }
    }
}
