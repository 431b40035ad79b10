package dev.omnibus.bench.broker;

import dev.omnibus.broker.NameRegistry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/** RequestName then ReleaseName of one name with 1000 other names registered (signals counted, not sent). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class NameRegistryBench {
    NameRegistry names;
    int signals;

    @Setup
    public void setup() {
        names = new NameRegistry(new NameRegistry.Listener() {
            @Override public void lost(int peer, String name) { signals++; }
            @Override public void ownerChanged(String name, int oldOwner, int newOwner) { signals++; }
            @Override public void acquired(int peer, String name) { signals++; }
        });
        for (int i = 0; i < 1000; i++) {
            names.request(i + 10, "org.example.N" + i, 0);
        }
    }

    @Benchmark
    public int requestRelease() {
        int r = names.request(5, "org.example.Bench", 0);
        return r + names.release(5, "org.example.Bench");
    }
}
