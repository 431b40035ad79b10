package dev.omnibus.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlockPoolTest {
    @Test
    void blocksGoRoundAndTheSpareStackIsBounded() {
        BlockPool pool = new BlockPool();
        MemorySegment a = pool.take(100);
        assertEquals(BlockPool.BLOCK, a.byteSize());
        pool.give(a);
        assertEquals(1, pool.spareCount());
        assertEquals(a.address(), pool.take(BlockPool.BLOCK).address(), "the spare block is handed out again");
        assertEquals(0, pool.spareCount());

        MemorySegment big = pool.take(3 * BlockPool.BLOCK);
        assertTrue(big.byteSize() >= 3 * BlockPool.BLOCK);
        pool.give(big);
        assertEquals(0, pool.spareCount(), "only blocks of the pooled size are kept");

        List<MemorySegment> many = new ArrayList<>();
        for (int i = 0; i < BlockPool.MAX_SPARE + 10; i++) many.add(pool.take(1));
        many.forEach(pool::give);
        assertEquals(BlockPool.MAX_SPARE, pool.spareCount());
        pool.close();
        assertEquals(0, pool.spareCount());
    }

    @Test
    void bufferTakesFromAndGivesBackToItsPool() {
        BlockPool pool = new BlockPool();
        NativeBuffer b = new NativeBuffer(BlockPool.BLOCK, pool);
        assertEquals(0, b.capacity(), "nothing allocated before use");
        b.ensureFree(10);
        assertEquals(BlockPool.BLOCK, b.capacity());
        b.end += 10;
        b.consume(10);
        b.release();
        assertEquals(0, b.capacity());
        assertEquals(1, pool.spareCount());
        b.ensureFree(3 * BlockPool.BLOCK); // larger than a block: from malloc, the spare stays
        assertEquals(1, pool.spareCount());
        b.close(); // and back to malloc, not into the pool
        assertEquals(1, pool.spareCount());
        pool.close();
    }
}
