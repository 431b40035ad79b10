package dev.omnibus.bench.wire;

import dev.omnibus.wire.BodyWriter;
import dev.omnibus.wire.MessageBuilder;
import dev.omnibus.wire.MessageView;
import dev.omnibus.wire.Protocol;
import dev.omnibus.wire.SenderStitch;
import dev.omnibus.wire.WireError;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Receive-path costs of the wire module: wrap + full validation of typical messages, and sender
 * stitching. Messages sit off-heap as they do after recvmsg. Expect ~0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class WireBenchmark {
    private final MessageView view = new MessageView();
    private MemorySegment callS;
    private MemorySegment propertiesChanged;
    private MemorySegment bytes4k;
    private MemorySegment stitchOut;
    private final byte[] sender = ":1.4242".getBytes(StandardCharsets.US_ASCII);

    private static MemorySegment offHeap(byte[] b) {
        MemorySegment s = Arena.global().allocate(b.length, 8);
        s.copyFrom(MemorySegment.ofArray(b));
        return s;
    }

    @Setup
    public void setup() {
        MessageBuilder b = new MessageBuilder();
        b.reset(Protocol.METHOD_CALL, 0, 5).path("/org/freedesktop/DBus").interfaceName("org.freedesktop.DBus")
                .member("GetNameOwner").destination("org.freedesktop.DBus");
        b.body("s").writeString("org.example.Service");
        callS = offHeap(b.toBytes());

        b.reset(Protocol.SIGNAL, 0, 6).path("/org/example/Object").interfaceName("org.freedesktop.DBus.Properties")
                .member("PropertiesChanged").sender(":1.17");
        BodyWriter w = b.body("sa{sv}as");
        w.writeString("org.example.Interface");
        w.beginArray();
        for (int i = 0; i < 4; i++) {
            w.beginDictEntry().writeString("Property" + i).beginVariant(i % 2 == 0 ? "s" : "u");
            if (i % 2 == 0) {
                w.writeString("value " + i);
            } else {
                w.writeUint32(i);
            }
            w.endVariant().endDictEntry();
        }
        w.endArray();
        w.beginArray().writeString("Invalidated").endArray();
        propertiesChanged = offHeap(b.toBytes());

        b.reset(Protocol.METHOD_CALL, 0, 7).path("/org/example/Blob").interfaceName("org.example.Blob")
                .member("Put").destination("org.example.Service");
        w = b.body("ay");
        w.beginArray();
        for (int i = 0; i < 4096; i++) {
            w.writeByte(i);
        }
        w.endArray();
        bytes4k = offHeap(b.toBytes());
        stitchOut = Arena.global().allocate(4096, 8);
        for (MemorySegment m : new MemorySegment[] {callS, propertiesChanged, bytes4k}) {
            if (view.wrap(m, 0, m.byteSize(), 0) != WireError.OK) {
                throw new IllegalStateException(view.errorDetail());
            }
        }
    }

    @Benchmark
    public int wrapMethodCallS() {
        return view.wrap(callS, 0, callS.byteSize(), 0);
    }

    @Benchmark
    public int wrapPropertiesChanged() {
        return view.wrap(propertiesChanged, 0, propertiesChanged.byteSize(), 0);
    }

    @Benchmark
    public int wrapByteArray4k() {
        return view.wrap(bytes4k, 0, bytes4k.byteSize(), 0);
    }

    @Benchmark
    public int stitchSenderPropertiesChanged() {
        view.wrap(propertiesChanged, 0, propertiesChanged.byteSize(), 0);
        return SenderStitch.writeHeader(view, sender, stitchOut, 0);
    }
}
