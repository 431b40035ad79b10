package dev.omnibus.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.omnibus.transport.SplicePipe;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pool of splice pipes: bounded, reusing empty pipes, closing what it does not keep. */
class PipePoolTest {

    @Test
    void atMostMaxOpenPipesAndEmptyOnesAreReused() {
        int fdsBefore = InProcessBus.openFds();
        try (PipePool pool = new PipePool()) {
            List<SplicePipe> taken = new ArrayList<>();
            for (int i = 0; i < PipePool.MAX_OPEN; i++) {
                SplicePipe p = pool.take();
                assertNotNull(p, "pipe " + i);
                taken.add(p);
            }
            assertNull(pool.take(), "no more than MAX_OPEN");
            assertEquals(PipePool.MAX_OPEN, pool.open());
            SplicePipe first = taken.removeFirst();
            pool.give(first);
            assertSame(first, pool.take(), "an empty pipe given back is reused");
            pool.give(first);
            for (SplicePipe p : taken) pool.give(p);
            assertTrue(pool.open() <= 4, "only a few spare pipes stay open: " + pool.open());
        }
        assertEquals(fdsBefore, InProcessBus.openFds(), "every pipe closed");
    }
}
