import java.io.ByteArrayInputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.LongBinaryOperator;
import java.util.function.ObjIntConsumer;

/**
 * The stream guard's own CPU per read, without the read: one read of a payload is recorded as
 * the calls the java.base edits make to its guard (every checkpoint's {@code applyAsLong}, each
 * filter call the guard asked for, the reads' starts and ends, the class names), then replayed,
 * in order, into a fresh guard per replay (the guard the agent gives a new stream). What an
 * A/B of this figure shows is the guard's Java code alone (26,252 checkpoints on the graph), which
 * a whole read (about 2,000 µs) hides under a shared machine's noise. It is not the cost inside
 * a read: there the guard is inlined into {@code filterCheck}, here into this loop.
 *
 *   javac -d /tmp/guardreplay -cp benchmarks/target/benchmarks-startup.jar bench/GuardReplay.java
 *   java -javaagent:/tmp/x/safeload-agent.jar --add-opens java.base/java.io=ALL-UNNAMED \
 *       -cp /tmp/guardreplay:benchmarks/target/benchmarks-startup.jar GuardReplay graph 5 9
 *
 * Arguments: the workload (graph or rpc), warm-up seconds, batches of about a second, and
 * {@code none} to replay into a no-op guard instead (the loop's own cost; the agent still records).
 * Prints the median and range of the batches' CPU per replayed read, and the count of each call.
 */
public final class GuardReplay {

    private static final byte APPLY = 0, CHECK = 1, READ = 2, NAME = 3, OBJECT = 4;

    private static final class Call implements ObjectInputFilter.FilterInfo {
        final byte kind;
        final long a, b;
        final Object object;
        final int flags;
        final Class<?> type;
        final long length, depth, refs, bytes;

        Call(byte kind, long a, long b, Object object, int flags, ObjectInputFilter.FilterInfo info) {
            this.kind = kind;
            this.a = a;
            this.b = b;
            this.object = object;
            this.flags = flags;
            this.type = info == null ? null : info.serialClass();
            this.length = info == null ? 0 : info.arrayLength();
            this.depth = info == null ? 0 : info.depth();
            this.refs = info == null ? 0 : info.references();
            this.bytes = info == null ? 0 : info.streamBytes();
        }

        @Override public Class<?> serialClass() { return type; }
        @Override public long arrayLength() { return length; }
        @Override public long depth() { return depth; }
        @Override public long references() { return refs; }
        @Override public long streamBytes() { return bytes; }
    }

    /** Hands every call on to the guard, and writes it down. */
    private static final class Recorder implements ObjectInputFilter, IntConsumer, ObjIntConsumer<String>,
            LongBinaryOperator, Consumer<Object> {
        final Object guard;
        final List<Call> calls = new ArrayList<>();

        Recorder(Object guard) {
            this.guard = guard;
        }

        @Override
        public long applyAsLong(long handles, long position) {
            calls.add(new Call(APPLY, handles, position, null, 0, null));
            return ((LongBinaryOperator) guard).applyAsLong(handles, position);
        }

        @Override
        public Status checkInput(FilterInfo info) {
            calls.add(new Call(CHECK, 0, 0, null, 0, info));
            return ((ObjectInputFilter) guard).checkInput(info);
        }

        @Override
        public void accept(int delta) {
            calls.add(new Call(READ, delta, 0, null, 0, null));
            ((IntConsumer) guard).accept(delta);
        }

        @Override
        @SuppressWarnings("unchecked")
        public void accept(String name, int flags) {
            calls.add(new Call(NAME, 0, 0, name, flags, null));
            ((ObjIntConsumer<String>) guard).accept(name, flags);
        }

        @Override
        @SuppressWarnings("unchecked")
        public void accept(Object object) {
            calls.add(new Call(OBJECT, 0, 0, object, 0, null));
            ((Consumer<Object>) guard).accept(object);
        }
    }

    /** Stands in for the guard when no agent runs: the replay loop's own cost. */
    private static final class Nothing implements ObjectInputFilter, IntConsumer, ObjIntConsumer<String>,
            LongBinaryOperator, Consumer<Object> {
        long seen;
        @Override public long applyAsLong(long h, long p) { seen += h ^ p; return p < 0 ? 0 : 1; }
        @Override public Status checkInput(FilterInfo info) { seen++; return Status.UNDECIDED; }
        @Override public void accept(int delta) { seen += delta; }
        @Override public void accept(String name, int flags) { seen += flags; }
        @Override public void accept(Object object) { seen++; }
    }

    private static final byte[] HEADER = {(byte) 0xAC, (byte) 0xED, 0, 5};
    private static Field serialFilter;
    private static volatile long sink;

    public static void main(String[] args) throws Exception {
        String workload = args[0];
        long warmupNanos = Long.parseLong(args[1]) * 1_000_000_000L;
        int batches = Integer.parseInt(args[2]);
        Object payload = workload.equals("rpc") ? dev.safeload.bench.serial.Payloads.rpc()
                : dev.safeload.bench.serial.Payloads.graph();
        byte[] stream = dev.safeload.bench.serial.Payloads.serialize(payload);
        serialFilter = ObjectInputStream.class.getDeclaredField("serialFilter");
        serialFilter.setAccessible(true);

        ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(stream));
        Object guard = serialFilter.get(in);
        boolean agent = guard instanceof LongBinaryOperator;
        if (!agent) {
            throw new IllegalStateException("no guard on the stream: run with -javaagent (the edits make the calls recorded)");
        }
        Recorder recorder = new Recorder(guard);
        serialFilter.set(in, recorder);
        in.readObject();
        Call[] calls = recorder.calls.toArray(new Call[0]);
        boolean none = args.length > 3 && args[3].equals("none");

        long end = System.nanoTime() + warmupNanos;
        long perBatch = 1;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            for (long i = 0; i < perBatch; i++) {
                replay(calls, none);
            }
            long took = System.nanoTime() - t0;
            perBatch = took < 100_000_000L ? perBatch * 2 : perBatch;
        }
        perBatch *= 10;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] cpu = new double[batches];
        for (int b = 0; b < batches; b++) {
            long c0 = threads.getCurrentThreadCpuTime();
            for (long i = 0; i < perBatch; i++) {
                replay(calls, none);
            }
            cpu[b] = (threads.getCurrentThreadCpuTime() - c0) / (double) perBatch / 1000.0;
        }
        Arrays.sort(cpu);
        int[] counts = new int[5];
        for (Call c : calls) {
            counts[c.kind]++;
        }
        System.out.printf("%s%s replay cpu %.2f us/read (min %.2f max %.2f) calls apply %d check %d read %d name %d object %d%n",
                workload, none ? " (no guard)" : "", cpu[batches / 2], cpu[0], cpu[batches - 1], counts[APPLY],
                counts[CHECK], counts[READ], counts[NAME], counts[OBJECT]);
    }

    @SuppressWarnings("unchecked")
    private static void replay(Call[] calls, boolean none) throws Exception {
        Object target = none ? new Nothing() : serialFilter.get(new ObjectInputStream(new ByteArrayInputStream(HEADER)));
        LongBinaryOperator checkpoints = (LongBinaryOperator) target;
        ObjectInputFilter filter = (ObjectInputFilter) target;
        IntConsumer reads = (IntConsumer) target;
        ObjIntConsumer<String> names = (ObjIntConsumer<String>) target;
        Consumer<Object> objects = (Consumer<Object>) target;
        long answers = 0;
        for (Call c : calls) {
            switch (c.kind) {
                case APPLY -> answers += checkpoints.applyAsLong(c.a, c.b);
                case CHECK -> answers += filter.checkInput(c).ordinal();
                case READ -> reads.accept((int) c.a);
                case NAME -> names.accept((String) c.object, c.flags);
                default -> objects.accept(c.object);
            }
        }
        sink = answers;
    }
}
