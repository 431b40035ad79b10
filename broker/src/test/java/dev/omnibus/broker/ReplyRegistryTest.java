package dev.omnibus.broker;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyRegistryTest {
    final ReplyRegistry reg = new ReplyRegistry();
    final List<String> noReply = new ArrayList<>();

    @Test
    void replyIsAllowedExactlyOnceFromTheCallee() {
        assertEquals(ReplyRegistry.OK, reg.tryExpect(1, 7, 2, 100, 10));
        assertFalse(reg.take(3, 1, 7), "wrong replier");
        assertFalse(reg.take(2, 1, 8), "wrong serial");
        assertFalse(reg.take(2, 4, 7), "wrong caller");
        assertTrue(reg.take(2, 1, 7));
        assertFalse(reg.take(2, 1, 7), "second reply");
        assertEquals(0, reg.size());
    }

    @Test
    void overLimitIsRefusedPerCaller() {
        for (int i = 1; i <= 3; i++) {
            assertTrue(reg.expect(1, i, 2, 100, 3));
        }
        assertEquals(ReplyRegistry.OVER_LIMIT, reg.tryExpect(1, 4, 2, 100, 3));
        assertTrue(reg.expect(5, 4, 2, 100, 3), "another caller has its own budget");
        assertTrue(reg.take(2, 1, 2));
        assertTrue(reg.expect(1, 4, 2, 100, 3), "a slot freed by the reply");
        assertEquals(3, reg.pendingCount(1));
    }

    @Test
    void duplicateSerialToSameCalleeIsRefused() {
        assertTrue(reg.expect(1, 9, 2, 100, 10));
        assertEquals(ReplyRegistry.DUPLICATE, reg.tryExpect(1, 9, 2, 100, 10));
        assertEquals(ReplyRegistry.OK, reg.tryExpect(1, 9, 3, 100, 10), "same serial, other callee");
    }

    @Test
    void calleeDisconnectReportsNoReplyAndCallerDisconnectDropsSilently() {
        reg.expect(1, 10, 2, 100, 10);
        reg.expect(1, 11, 3, 100, 10);
        reg.expect(2, 12, 1, 100, 10);
        reg.expect(4, 13, 2, 100, 10);
        reg.removePeer(2, (c, s) -> noReply.add(c + "/" + s));
        assertEquals(List.of("1/10", "4/13").stream().sorted().toList(), noReply.stream().sorted().toList());
        assertEquals(1, reg.size());
        assertFalse(reg.take(1, 2, 12), "entries where the peer was the caller are gone");
        assertTrue(reg.take(3, 1, 11));
    }

    @Test
    void expireReportsDueEntriesEarliestFirstAndTracksNextDeadline() {
        assertEquals(Long.MAX_VALUE, reg.nextDeadline());
        reg.expect(1, 1, 2, 300, 10);
        reg.expect(1, 2, 2, 100, 10);
        reg.expect(1, 3, 2, 200, 10);
        assertEquals(100, reg.nextDeadline());
        assertEquals(2, reg.expire(200, (c, s) -> noReply.add(c + "/" + s)));
        assertEquals(List.of("1/2", "1/3"), noReply);
        assertEquals(300, reg.nextDeadline());
        assertFalse(reg.take(2, 1, 2), "expired calls cannot be answered");
        assertTrue(reg.take(2, 1, 1));
        assertEquals(Long.MAX_VALUE, reg.nextDeadline());
    }

    @Test
    void manyEntriesSurviveGrowthAndRandomRemoval() {
        java.util.Random rnd = new java.util.Random(42);
        java.util.Map<Long, Long> live = new java.util.HashMap<>();
        for (int i = 0; i < 5000; i++) {
            long serial = i + 1;
            long deadline = rnd.nextInt(1_000_000);
            assertTrue(reg.expect(i % 17, serial, 100 + i % 5, deadline, 100_000));
            live.put(serial, deadline);
        }
        for (int i = 0; i < 5000; i += 3) {
            assertTrue(reg.take(100 + i % 5, i % 17, i + 1));
            live.remove((long) i + 1);
        }
        long last = Long.MIN_VALUE;
        int n = 0;
        while (reg.size() > 0) {
            long d = reg.nextDeadline();
            assertTrue(d >= last);
            last = d;
            n += reg.expire(d, (c, s) -> assertNotNull(live.remove(s)));
        }
        assertEquals(5000 - 1667, n);
        assertTrue(live.isEmpty());
    }
}
