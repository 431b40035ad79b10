package dev.omnibus.bench.broker;

import dev.omnibus.broker.MatchLookup;
import dev.omnibus.broker.MatchRegistry;
import dev.omnibus.broker.NameRegistry;
import dev.omnibus.wire.MatchRule;
import dev.omnibus.wire.MatchRuleException;
import dev.omnibus.wire.Protocol;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.openjdk.jmh.annotations.*;

/**
 * Match lookup for one broadcast signal (PropertiesChanged on /match) with {@code rules} rules
 * installed: all but one are path/member-specific rules that do not match, one matches.
 * Header fields are probed straight from a segment, as the router does from a MessageView.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MatchLookupBench {

    @Param({"10", "1000", "100000"})
    int rules;

    MatchRegistry registry;
    NameRegistry names;
    MatchLookup query;
    MemorySegment header;
    int ifaceOff, ifaceLen, memberOff, memberLen, pathOff, pathLen;
    int hits;
    final IntConsumer sink = p -> hits += p;

    @Setup
    public void setup() throws MatchRuleException {
        registry = new MatchRegistry();
        names = new NameRegistry(new NameRegistry.Listener() {
            @Override public void lost(int peer, String name) { }
            @Override public void ownerChanged(String name, int oldOwner, int newOwner) { }
            @Override public void acquired(int peer, String name) { }
        });
        for (int i = 0; i < rules - 1; i++) {
            registry.add(1 + i % 1000, MatchRule.parse("type='signal',interface='org.example.I" + (i % 100)
                    + "',member='Changed" + i + "',path='/org/example/obj" + i + "'"));
        }
        registry.add(4242, MatchRule.parse("type='signal',interface='org.freedesktop.DBus.Properties',"
                + "member='PropertiesChanged',path='/match'"));
        String iface = "org.freedesktop.DBus.Properties";
        String member = "PropertiesChanged";
        String path = "/match";
        byte[] bytes = (iface + member + path).getBytes(StandardCharsets.US_ASCII);
        header = MemorySegment.ofArray(bytes);
        ifaceOff = 0;
        ifaceLen = iface.length();
        memberOff = ifaceLen;
        memberLen = member.length();
        pathOff = memberOff + memberLen;
        pathLen = path.length();
        query = new MatchLookup();
    }

    @Benchmark
    public int lookupSignal() {
        hits = 0;
        query.reset(Protocol.SIGNAL, 77)
                .interfaceName(header, ifaceOff, ifaceLen)
                .member(header, memberOff, memberLen)
                .path(header, pathOff, pathLen);
        registry.lookup(query, names, sink);
        return hits;
    }
}
