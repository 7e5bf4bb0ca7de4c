package dev.safeload.model.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ProtoMessage;
import dev.safeload.model.read.WireReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link WireReader} against protobuf-java's {@code CodedInputStream}, which it replaced: the same
 * walk over well-formed, mutated and cut ONNX files must see the same tags, bytes and ends, and
 * fail on the same inputs.
 */
class WireReaderTest {

    /** The operations the walker uses, on either reader. */
    private interface Reader {
        int readTag() throws IOException;

        int readRawVarint32() throws IOException;

        byte[] readRawBytes(int length) throws IOException;

        boolean skipField(int tag) throws IOException;

        long pushLimit(int length) throws IOException;

        void popLimit(long old);

        boolean isAtEnd() throws IOException;
    }

    private static Reader ours(byte[] bytes, int buffer) throws IOException {
        WireReader in = new WireReader(ModelSource.of("m.onnx", bytes, null), buffer);
        return new Reader() {
            public int readTag() throws IOException {
                return in.readTag();
            }

            public int readRawVarint32() throws IOException {
                return in.readRawVarint32();
            }

            public byte[] readRawBytes(int length) throws IOException {
                return in.readRawBytes(length);
            }

            public boolean skipField(int tag) throws IOException {
                return in.skipField(tag);
            }

            public long pushLimit(int length) throws IOException {
                return in.pushLimit(length);
            }

            public void popLimit(long old) {
                in.popLimit(old);
            }

            public boolean isAtEnd() {
                return in.isAtEnd();
            }
        };
    }

    private static Reader protobuf(byte[] bytes) {
        CodedInputStream in = CodedInputStream.newInstance(new ByteArrayInputStream(bytes), 64);
        return new Reader() {
            public int readTag() throws IOException {
                return in.readTag();
            }

            public int readRawVarint32() throws IOException {
                return in.readRawVarint32();
            }

            public byte[] readRawBytes(int length) throws IOException {
                return in.readRawBytes(length);
            }

            public boolean skipField(int tag) throws IOException {
                return in.skipField(tag);
            }

            public long pushLimit(int length) throws IOException {
                return in.pushLimit(length);
            }

            public void popLimit(long old) {
                in.popLimit((int) old);
            }

            public boolean isAtEnd() throws IOException {
                return in.isAtEnd();
            }
        };
    }

    /**
     * Reads everything as the walker does: a length-delimited field of a field number divisible
     * by 3 (ONNX's graph is 7, its nodes 1: both kinds occur) as a submessage, of one leaving 1 as
     * bytes, the rest skipped. The trace: every tag, string and end, then "malformed" or "end".
     */
    private static List<String> walk(Reader in) {
        List<String> trace = new ArrayList<>();
        try {
            walk(in, 0, trace);
            trace.add("end");
        } catch (IOException e) {
            trace.add("malformed");
        }
        return trace;
    }

    private static void walk(Reader in, int depth, List<String> trace) throws IOException {
        int tag;
        while ((tag = in.readTag()) != 0) {
            trace.add("tag " + tag);
            int field = tag >>> 3;
            if ((tag & 7) == 2 && field % 3 == 0 && depth < 16) {
                long old = in.pushLimit(in.readRawVarint32());
                walk(in, depth + 1, trace);
                trace.add("at end " + in.isAtEnd());
                in.popLimit(old);
            } else if ((tag & 7) == 2 && field % 3 == 1) {
                trace.add(new String(in.readRawBytes(in.readRawVarint32()), StandardCharsets.ISO_8859_1));
            } else if (!in.skipField(tag)) {
                trace.add("end group");
                return;
            }
        }
    }

    @Test
    void readsWhatProtobufReadsAndFailsWhereItFails() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        // The fuzz module's ONNX seeds: a real model with an initializer, and one with external data.
        java.nio.file.Path fuzzSeeds = java.nio.file.Path.of("..", "fuzz", "src", "test", "resources", "dev", "safeload",
                "fuzz", "OnnxFuzzTestInputs", "onnx");
        for (String name : List.of("model.onnx", "onnx_external_traversal.onnx")) {
            seeds.add(java.nio.file.Files.readAllBytes(fuzzSeeds.resolve(name)));
        }
        seeds.add(everyWireType());
        seeds.add(nestedGroups(100));
        seeds.add(nestedGroups(101));
        seeds.add(ProtoMessage.message().varint(1, 8).message(7, ProtoMessage.message()
                .message(1, ProtoMessage.message().string(4, "Relu").string(7, "com.example"))
                .message(5, OnnxProto.inlineTensor("W"))).build());
        Random random = new Random(12);
        int cases = 0;
        int malformed = 0;
        for (byte[] seed : seeds) {
            for (int i = 0; i < 1500; i++) {
                byte[] bytes = i == 0 ? seed : mutate(seed, random);
                List<String> expected = walk(protobuf(bytes));
                for (int buffer : new int[] {1, 7, 64 * 1024}) {
                    assertEquals(expected, walk(ours(bytes, buffer)), "case " + i + " of a " + seed.length
                            + "-byte seed, buffer " + buffer);
                }
                cases++;
                malformed += expected.get(expected.size() - 1).equals("malformed") ? 1 : 0;
            }
        }
        assertTrue(malformed > cases / 10 && malformed < cases * 9 / 10, malformed + " of " + cases + " malformed");
    }

    @Test
    void groupsNestedPastProtobufsRecursionLimitAreMalformed() throws IOException {
        List<String> within = walk(ours(nestedGroups(100), 64));
        List<String> past = walk(ours(nestedGroups(101), 64));
        assertEquals("end", within.get(within.size() - 1));
        assertEquals("malformed", past.get(past.size() - 1));
        assertEquals(within, walk(protobuf(nestedGroups(100))));
        assertEquals(past, walk(protobuf(nestedGroups(101))));
    }

    /** Every wire type, a group with a nested group, and a tag past 2^28. */
    private static byte[] everyWireType() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeInt64(2, -1);
        out.writeFixed64(5, 42);
        out.writeFixed32(8, 7);
        out.writeTag(11, 3);
        out.writeTag(14, 3);
        out.writeInt32(2, 5);
        out.writeTag(14, 4);
        out.writeString(4, "inside");
        out.writeTag(11, 4);
        out.writeString(1, "name");
        out.writeInt32(1 << 28, 3);
        out.flush();
        return bytes.toByteArray();
    }

    /** {@code depth} groups inside each other, each closed. */
    private static byte[] nestedGroups(int depth) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        for (int i = 0; i < depth; i++) {
            out.writeTag(2, 3);
        }
        out.writeInt32(5, 1);
        for (int i = 0; i < depth; i++) {
            out.writeTag(2, 4);
        }
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] mutate(byte[] seed, Random random) {
        byte[] bytes = seed.clone();
        switch (random.nextInt(4)) {
            case 0 -> bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            case 1 -> bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
            case 2 -> {
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            default -> bytes[random.nextInt(bytes.length)] = (byte) (random.nextBoolean() ? 0x80 : 0xFF);
        }
        return bytes;
    }
}
