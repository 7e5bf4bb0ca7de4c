import java.io.*;
import java.nio.file.*;
import java.util.*;
import java.lang.management.*;

/**
 * Session 19's documents (BENCHMARKS.md, "Session 19"): a HashSet of two-integer lists, written by
 * XStream, Kryo, Hessian and XMLEncoder, as a YAML flow mapping, and in Jackson's default typing;
 * "collide" makes every list
 * [x, 12345 - 31x] (one hash code), "benign" [x, 7919x]. "read" reads one with the library as a
 * service would, ROUNDS times in one JVM, and prints each read's thread CPU. The libraries come
 * from the local Maven repository (after mvn install):
 *
 *   R=~/.m2/repository; CP=$R/com/thoughtworks/xstream/xstream/1.4.21/xstream-1.4.21.jar:$R/io/github/x-stream/mxparser/1.2.2/mxparser-1.2.2.jar:$R/xmlpull/xmlpull/1.1.3.1/xmlpull-1.1.3.1.jar:$R/com/esotericsoftware/kryo/5.6.2/kryo-5.6.2.jar:$R/com/esotericsoftware/reflectasm/1.11.9/reflectasm-1.11.9.jar:$R/com/esotericsoftware/minlog/1.3.1/minlog-1.3.1.jar:$R/org/objenesis/objenesis/3.4/objenesis-3.4.jar:$R/com/caucho/hessian/4.0.66/hessian-4.0.66.jar:$R/org/yaml/snakeyaml/2.4/snakeyaml-2.4.jar:$R/com/fasterxml/jackson/core/jackson-databind/2.21.2/jackson-databind-2.21.2.jar:$R/com/fasterxml/jackson/core/jackson-core/2.21.2/jackson-core-2.21.2.jar:$R/com/fasterxml/jackson/core/jackson-annotations/2.21/jackson-annotations-2.21.jar
 *   javac -cp $CP -d /tmp/dk bench/DocumentKeys.java
 *   java -cp /tmp/dk:$CP DocumentKeys write kryo /tmp/dk/kryo-c32k.bin 32000 collide
 *   java [-javaagent:agent/target/safeload-agent.jar=log=/tmp/v.jsonl] -cp /tmp/dk:$CP DocumentKeys read kryo /tmp/dk/kryo-c32k.bin [ROUNDS]
 */
public class DocumentKeys {
    static Set<Object> keys(int n, boolean collide) {
        Set<Object> set = new HashSet<>();
        List<List<Integer>> lists = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Integer> l = new ArrayList<>(List.of(i, i * 7919));
            set.add(l);
            lists.add(l);
        }
        if (collide) {
            for (int i = 0; i < n; i++) {
                lists.get(i).set(0, i);
                lists.get(i).set(1, 12345 - 31 * i);
            }
        }
        return set;
    }
    public static void main(String[] a) throws Exception {
        String mode = a[0], lib = a[1];
        Path file = Path.of(a[2]);
        if (mode.equals("write")) {
            Object v = keys(Integer.parseInt(a[3]), a[4].equals("collide"));
            byte[] out;
            switch (lib) {
                case "xstream" -> {
                    StringWriter w = new StringWriter();
                    new com.thoughtworks.xstream.XStream().marshal(v, new com.thoughtworks.xstream.io.xml.CompactWriter(w));
                    out = w.toString().getBytes();
                }
                case "kryo" -> {
                    var k = kryo();
                    var o = new com.esotericsoftware.kryo.io.Output(1 << 16, -1);
                    k.writeClassAndObject(o, v);
                    out = o.toBytes();
                }
                case "hessian" -> {
                    var b = new ByteArrayOutputStream();
                    var h = new com.caucho.hessian.io.Hessian2Output(b);
                    h.writeObject(v); h.close(); out = b.toByteArray();
                }
                case "yaml" -> {
                    StringBuilder sb = new StringBuilder("{");
                    for (Object k : (Set<?>) v) { List<?> l = (List<?>) k; sb.append('[').append(l.get(0)).append(',').append(l.get(1)).append("]: 0, "); }
                    sb.append("}");
                    out = sb.toString().getBytes();
                }
                case "jackson" -> {
                    // Default typing's form: ["java.util.HashSet",[["java.util.ArrayList",[x,y]],...]]
                    StringBuilder sb = new StringBuilder("[\"java.util.HashSet\",[");
                    String sep = "";
                    for (Object k : (Set<?>) v) {
                        List<?> l = (List<?>) k;
                        sb.append(sep).append("[\"java.util.ArrayList\",[").append(l.get(0)).append(',').append(l.get(1)).append("]]");
                        sep = ",";
                    }
                    out = sb.append("]]").toString().getBytes();
                }
                case "xmldecoder" -> {
                    var b = new ByteArrayOutputStream();
                    try (var e = new java.beans.XMLEncoder(b)) { e.writeObject(v); }
                    out = b.toByteArray();
                }
                default -> throw new IllegalArgumentException(lib);
            }
            Files.write(file, out);
            System.out.println(file + " " + out.length + " bytes");
            return;
        }
        byte[] bytes = Files.readAllBytes(file);
        var xs = new com.thoughtworks.xstream.XStream();
        xs.allowTypesByWildcard(new String[] {"java.**"});
        var kryo = kryo();
        ThreadMXBean t = ManagementFactory.getThreadMXBean();
        int rounds = a.length > 3 ? Integer.parseInt(a[3]) : 1;
        for (int r = 0; r < rounds; r++) {
        long c0 = t.getCurrentThreadCpuTime();
        String res;
        try {
            Object v = switch (lib) {
                case "xstream" -> xs.fromXML(new String(bytes));
                case "kryo" -> kryo.readClassAndObject(new com.esotericsoftware.kryo.io.Input(bytes));
                case "hessian" -> new com.caucho.hessian.io.Hessian2Input(new ByteArrayInputStream(bytes)).readObject();
                case "yaml" -> new org.yaml.snakeyaml.Yaml().load(new String(bytes));
                case "xmldecoder" -> new java.beans.XMLDecoder(new ByteArrayInputStream(bytes)).readObject();
                case "jackson" -> jackson().readValue(bytes, Object.class);
                default -> throw new IllegalArgumentException(lib);
            };
            res = "ok " + v.getClass().getName() + " " + (v instanceof Map<?,?> m ? m.size() : ((Collection<?>) v).size());
        } catch (Throwable e) {
            res = "refused " + e.getClass().getName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        }
        System.out.println("CPU_MS " + (t.getCurrentThreadCpuTime() - c0) / 1_000_000 + " " + res);
        }
    }
    static com.fasterxml.jackson.databind.ObjectMapper jackson() {
        var m = new com.fasterxml.jackson.databind.ObjectMapper();
        m.activateDefaultTyping(com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator.instance,
                com.fasterxml.jackson.databind.ObjectMapper.DefaultTyping.NON_FINAL);
        return m;
    }

    static com.esotericsoftware.kryo.Kryo kryo() {
        var k = new com.esotericsoftware.kryo.Kryo();
        k.setRegistrationRequired(false);
        k.setReferences(true);
        return k;
    }
}
