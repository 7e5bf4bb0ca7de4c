import com.thoughtworks.xstream.XStream;
import com.thoughtworks.xstream.mapper.Mapper;
import java.lang.management.ManagementFactory;

/**
 * Bytes allocated per XStream {@code CachingMapper.realClass} cache hit (the agent hooks every
 * lookup, hit or not). Run as a source file, with and without the agent, e.g.
 * {@code java -javaagent:agent/target/safeload-agent.jar -cp "$(ls integration-tests/target/deser-libs/xstream-1.4.17/*.jar | tr "\n" :)" bench/XStreamCacheAlloc.java}
 */
public class XStreamCacheAlloc {
    public static void main(String[] args) {
        XStream xstream = new XStream();
        Mapper mapper = xstream.getMapper();
        String[] names = {"linked-hash-map", "string", "list", "int", "java.util.ArrayList"};
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        Class<?> sink = null;
        for (int i = 0; i < 200_000; i++) {
            sink = mapper.realClass(names[i % names.length]);
        }
        int n = 1_000_000;
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < n; i++) {
            sink = mapper.realClass(names[i % names.length]);
        }
        long after = threads.getThreadAllocatedBytes(id);
        System.out.println("bytes per lookup: " + (double) (after - before) / n + " (" + sink.getName() + ", " + mapper.getClass().getName() + ")");
    }
}
