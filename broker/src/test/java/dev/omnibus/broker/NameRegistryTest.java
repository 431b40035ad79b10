package dev.omnibus.broker;

import static dev.omnibus.broker.NameRegistry.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scenarios replayed from dbus-daemon 1.14.10 (dbus-python clients A=1, B=2, C=3, D=4). */
class NameRegistryTest {
    static final int A = 1, B = 2, C = 3, D = 4;

    final List<String> events = new ArrayList<>();
    final NameRegistry reg = new NameRegistry(new NameRegistry.Listener() {
        @Override public void lost(int peer, String name) { events.add("lost " + peer + " " + name); }
        @Override public void ownerChanged(String name, int o, int n) { events.add("owner " + name + " " + o + "->" + n); }
        @Override public void acquired(int peer, String name) { events.add("acquired " + peer + " " + name); }
    });

    int[] q(String name) { return reg.queue(name); }

    @Test
    void firstRequesterBecomesPrimaryOwnerWithOwnerChangedThenAcquired() {
        assertEquals(PRIMARY_OWNER, reg.request(A, "t.one", 0));
        assertEquals(List.of("owner t.one -1->1", "acquired 1 t.one"), events);
        assertEquals(A, reg.owner("t.one"));
    }

    @Test
    void replacementPutsOldOwnerRightBehindNewOwner() {
        reg.request(A, "t.one", FLAG_ALLOW_REPLACEMENT);
        assertEquals(IN_QUEUE, reg.request(B, "t.one", 0));
        events.clear();
        assertEquals(PRIMARY_OWNER, reg.request(C, "t.one", FLAG_REPLACE_EXISTING));
        assertArrayEquals(new int[] {C, A, B}, q("t.one"));
        // dbus-monitor order: NameLost to old, NameOwnerChanged, NameAcquired to new.
        assertEquals(List.of("lost 1 t.one", "owner t.one 1->3", "acquired 3 t.one"), events);
    }

    @Test
    void queuedPeerReplacingLeavesItsQueuePlace() {
        reg.request(A, "t.seven", FLAG_ALLOW_REPLACEMENT);
        reg.request(B, "t.seven", 0);
        reg.request(C, "t.seven", 0);
        assertEquals(IN_QUEUE, reg.request(D, "t.seven", 0));
        assertEquals(PRIMARY_OWNER, reg.request(D, "t.seven", FLAG_REPLACE_EXISTING));
        assertArrayEquals(new int[] {D, A, B, C}, q("t.seven"));
    }

    @Test
    void flagsTableWithoutAllowReplacement() {
        reg.request(A, "t.three", 0);
        assertEquals(EXISTS, reg.request(B, "t.three", FLAG_REPLACE_EXISTING | FLAG_DO_NOT_QUEUE));
        assertArrayEquals(new int[] {A}, q("t.three"));
        assertEquals(IN_QUEUE, reg.request(B, "t.three", FLAG_REPLACE_EXISTING));
        assertArrayEquals(new int[] {A, B}, q("t.three"));
        assertEquals(ALREADY_OWNER, reg.request(A, "t.three", FLAG_ALLOW_REPLACEMENT));
        // The owner's new flags count: now C can replace.
        assertEquals(PRIMARY_OWNER, reg.request(C, "t.three", FLAG_REPLACE_EXISTING | FLAG_DO_NOT_QUEUE));
        assertArrayEquals(new int[] {C, A, B}, q("t.three"));
        // A queued peer asking with DO_NOT_QUEUE gets EXISTS and leaves the queue.
        assertEquals(EXISTS, reg.request(B, "t.three", FLAG_DO_NOT_QUEUE));
        assertArrayEquals(new int[] {C, A}, q("t.three"));
    }

    @Test
    void replacedOwnerThatAskedDoNotQueueLosesTheNameEntirely() {
        reg.request(A, "t.four", FLAG_ALLOW_REPLACEMENT | FLAG_DO_NOT_QUEUE);
        assertEquals(PRIMARY_OWNER, reg.request(B, "t.four", FLAG_REPLACE_EXISTING));
        assertArrayEquals(new int[] {B}, q("t.four"));
        assertEquals(0, reg.joinedCount(A));
        assertEquals(IN_QUEUE, reg.request(A, "t.four", 0));
        events.clear();
        assertEquals(RELEASED, reg.release(B, "t.four"));
        assertEquals(List.of("lost 2 t.four", "owner t.four 2->1", "acquired 1 t.four"), events);
        assertEquals(NOT_OWNER, reg.release(C, "t.four"));
        assertEquals(NON_EXISTENT, reg.release(C, "t.none"));
        events.clear();
        assertEquals(RELEASED, reg.release(A, "t.four"));
        assertEquals(List.of("lost 1 t.four", "owner t.four 1->-1"), events);
        assertEquals(NONE, reg.owner("t.four"));
        assertEquals(0, reg.size());
    }

    @Test
    void queuedReleaseLeavesQueueWithoutSignals() {
        reg.request(A, "t.five", 0);
        reg.request(B, "t.five", 0);
        reg.request(C, "t.five", 0);
        events.clear();
        assertEquals(RELEASED, reg.release(C, "t.five"));
        assertEquals(List.of(), events);
        assertArrayEquals(new int[] {A, B}, q("t.five"));
    }

    @Test
    void ownerAskingDoNotQueueWhenNotAllowedIsRemovedFromQueue() {
        reg.request(A, "t.six", 0);
        reg.request(A, "t.six", FLAG_ALLOW_REPLACEMENT);
        assertEquals(PRIMARY_OWNER, reg.request(B, "t.six", FLAG_REPLACE_EXISTING));
        assertArrayEquals(new int[] {B, A}, q("t.six"));
        assertEquals(EXISTS, reg.request(A, "t.six", FLAG_DO_NOT_QUEUE));
        assertArrayEquals(new int[] {B}, q("t.six"));
        assertEquals(IN_QUEUE, reg.request(C, "t.six", FLAG_REPLACE_EXISTING));
        assertArrayEquals(new int[] {B, C}, q("t.six"));
    }

    @Test
    void queuedPeerReRequestKeepsItsPlaceAndUpdatesFlags() {
        reg.request(A, "n.x", 0);
        reg.request(B, "n.x", 0);
        reg.request(C, "n.x", 0);
        assertEquals(IN_QUEUE, reg.request(B, "n.x", FLAG_ALLOW_REPLACEMENT));
        assertArrayEquals(new int[] {A, B, C}, q("n.x"));
        reg.release(A, "n.x");
        // B now owns with ALLOW_REPLACEMENT (the updated flags), so D can replace it.
        assertEquals(PRIMARY_OWNER, reg.request(D, "n.x", FLAG_REPLACE_EXISTING));
        assertArrayEquals(new int[] {D, B, C}, q("n.x"));
    }

    @Test
    void removePeerReleasesNewestFirstAndPassesNamesOn() {
        reg.request(D, "t.seven", 0);
        reg.request(D, "t.eight", 0);
        reg.request(B, "t.eight", 0);
        reg.request(A, "t.nine", 0);
        reg.request(D, "t.nine", 0);
        events.clear();
        reg.removePeer(D);
        assertEquals(List.of("lost 4 t.eight", "owner t.eight 4->2", "acquired 2 t.eight",
                "lost 4 t.seven", "owner t.seven 4->-1"), events);
        assertArrayEquals(new int[] {A}, q("t.nine"));
        assertEquals(0, reg.joinedCount(D));
        assertEquals(List.of("t.eight"), reg.namesOwnedBy(B));
    }

    @Test
    void queriesReportPrimaryAndJoinedCounts() {
        reg.request(A, "a.one", 0);
        reg.request(A, "a.two", 0);
        reg.request(B, "a.one", 0);
        assertEquals(2, reg.ownedCount(A));
        assertEquals(0, reg.ownedCount(B));
        assertEquals(1, reg.joinedCount(B));
        assertTrue(reg.owns(A, "a.two"));
        assertFalse(reg.owns(B, "a.one"));
        assertEquals("a.one", reg.ownedName(A, 0));
        assertEquals(List.of("a.one", "a.two"), reg.names().stream().sorted().toList());
    }

    @Test
    void rejectsUniqueNamesAndTheBusName() {
        assertThrows(IllegalArgumentException.class, () -> reg.request(A, ":1.5", 0));
        assertThrows(IllegalArgumentException.class, () -> reg.request(A, "org.freedesktop.DBus", 0));
        assertThrows(IllegalArgumentException.class, () -> reg.release(A, ":1.5"));
        assertEquals(0, reg.size());
    }
}
