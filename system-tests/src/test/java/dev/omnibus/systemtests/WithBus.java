package dev.omnibus.systemtests;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the test classes that each need a fresh bus per test: starts {@link BusDaemon} before the
 * test (after {@link PendingInOmnibus} decided it runs) and closes it after, which asserts the clean
 * SIGTERM exit. Subclasses' own {@code @BeforeEach} run after the bus is up.
 */
abstract class WithBus {

    protected BusDaemon bus;

    @BeforeEach
    final void startBus() throws Exception {
        bus = BusDaemon.start();
    }

    @AfterEach
    final void stopBus() throws Exception {
        bus.close();
    }
}
