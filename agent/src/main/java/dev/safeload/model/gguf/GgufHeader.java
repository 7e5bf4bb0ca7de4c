package dev.safeload.model.gguf;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelSource;
import dev.safeload.model.Severity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Walks a GGUF header (metadata key/values and tensor infos) the way llama.cpp's
 * {@code gguf_init_from_file} does, without reading tensor data. Strings and arrays are
 * skipped by their declared length once that length is known to fit in the file.
 */
final class GgufHeader {

    /** Real models have tens of keys and at most tens of thousands of tensors. */
    static final long MAX_KEYS = 1_000_000;
    static final long MAX_TENSORS = 1_000_000;
    /** Keys and tensor names are identifiers; ggml itself caps tensor names at 64 bytes. */
    static final int MAX_NAME_BYTES = 64 * 1024;
    /** GGML_MAX_DIMS. */
    static final int MAX_DIMS = 4;
    /** The specification allows arrays of arrays; llama.cpp loads none, so nesting stays shallow. */
    static final int MAX_ARRAY_DEPTH = 4;
    static final int DEFAULT_ALIGNMENT = 32;

    /** Real chat templates are a few kilobytes; the largest known are tens of kilobytes. */
    static final int MAX_TEMPLATE_BYTES = 1 << 20;

    private final ModelSource source;
    private final GgufReader in;
    private final List<Finding> findings = new ArrayList<>();
    private int version;
    private long alignment = DEFAULT_ALIGNMENT;

    private GgufHeader(ModelSource source) throws IOException {
        this.source = source;
        this.in = new GgufReader(source);
    }

    static List<Finding> check(ModelSource source) throws IOException {
        GgufHeader header = new GgufHeader(source);
        try {
            header.walk();
        } catch (GgufFormatException e) {
            header.findings.add(header.finding(e.rule, Severity.HIGH, e.offset, e.getMessage()));
        }
        return header.findings;
    }

    private void walk() throws IOException {
        byte[] magic = in.bytes(4);
        if (!Arrays.equals(magic, "GGUF".getBytes(StandardCharsets.US_ASCII))) {
            throw new GgufFormatException("gguf.magic", 0, "file does not start with GGUF");
        }
        long v = in.u32();
        if (v < 1 || v > 3) {
            String why = (v & 0xFFFF) == 0 ? " (a big-endian file, which this scanner does not read)" : "";
            throw new GgufFormatException("gguf.version", 4, "unsupported GGUF version " + v + why);
        }
        version = (int) v;
        long tensorCount = in.length(version, "tensor count");
        long keyCount = in.length(version, "metadata key count");
        // Each key/value needs at least a length, a type and one byte; each tensor info a name
        // length, a dimension count, a type and an offset.
        if (keyCount > MAX_KEYS || keyCount > in.remaining() / 13) {
            throw new GgufFormatException("gguf.count", 16, "metadata key count " + keyCount
                    + " cannot fit in the file or exceeds " + MAX_KEYS);
        }
        if (tensorCount > MAX_TENSORS || tensorCount > in.remaining() / 24) {
            throw new GgufFormatException("gguf.count", 8, "tensor count " + tensorCount
                    + " cannot fit in the file or exceeds " + MAX_TENSORS);
        }
        Set<String> keys = new HashSet<>();
        for (long i = 0; i < keyCount; i++) {
            long at = in.position();
            String key = name("metadata key");
            if (!keys.add(key)) {
                throw new GgufFormatException("gguf.duplicate-key", at, "metadata key \"" + clip(key)
                        + "\" appears twice; readers disagree on which value wins");
            }
            GgufValueType type = valueType("metadata key \"" + clip(key) + "\"");
            if (key.equals("general.alignment")) {
                readAlignment(type, at);
            } else if (key.startsWith("tokenizer.chat_template") && type == GgufValueType.STRING) {
                chatTemplate(key, at);
            } else {
                skipValue(type, 0);
            }
        }
        tensorInfos(tensorCount);
    }

    private void tensorInfos(long count) throws IOException {
        Set<String> names = new HashSet<>();
        long[] offsets = new long[(int) count];
        long[] sizes = new long[(int) count];
        String[] tensorNames = new String[(int) count];
        for (int i = 0; i < count; i++) {
            long at = in.position();
            String name = name("tensor name");
            if (!names.add(name)) {
                throw new GgufFormatException("gguf.duplicate-tensor", at, "tensor \"" + clip(name)
                        + "\" appears twice");
            }
            long dims = in.u32();
            if (dims > MAX_DIMS) {
                throw new GgufFormatException("gguf.tensor", at, "tensor \"" + clip(name) + "\" has " + dims
                        + " dimensions; ggml supports " + MAX_DIMS);
            }
            long[] ne = {1, 1, 1, 1};
            for (int d = 0; d < dims; d++) {
                ne[d] = in.length(version, "dimension");
            }
            long typeCode = in.u32();
            GgmlType type = GgmlType.of(typeCode);
            if (type == null) {
                throw new GgufFormatException("gguf.tensor-type", at, "tensor \"" + clip(name)
                        + "\" has unknown ggml type " + typeCode);
            }
            long offset = in.u64("tensor offset");
            if (ne[0] % type.blockSize != 0) {
                throw new GgufFormatException("gguf.tensor", at, "tensor \"" + clip(name) + "\" row of " + ne[0]
                        + " elements is not a multiple of the " + type + " block size " + type.blockSize);
            }
            try {
                long bytes = Math.multiplyExact(ne[0] / type.blockSize, (long) type.blockBytes);
                for (int d = 1; d < MAX_DIMS; d++) {
                    bytes = Math.multiplyExact(bytes, ne[d]);
                }
                sizes[i] = bytes;
            } catch (ArithmeticException e) {
                throw new GgufFormatException("gguf.tensor", at, "tensor \"" + clip(name)
                        + "\" has a size that overflows");
            }
            offsets[i] = offset;
            tensorNames[i] = name;
        }
        long dataStart = alignUp(in.position(), alignment);
        long dataSize = Math.max(0, in.size() - dataStart);
        Integer[] order = new Integer[(int) count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
            if (offsets[i] % alignment != 0) {
                throw new GgufFormatException("gguf.tensor-offset", dataStart, "tensor \"" + clip(tensorNames[i])
                        + "\" at offset " + offsets[i] + " is not aligned to " + alignment);
            }
            if (offsets[i] > dataSize || sizes[i] > dataSize - offsets[i]) {
                throw new GgufFormatException("gguf.tensor-offset", dataStart, "tensor \"" + clip(tensorNames[i])
                        + "\" at [" + offsets[i] + ", +" + sizes[i] + ") runs past the " + dataSize
                        + "-byte data section");
            }
        }
        Arrays.sort(order, (a, b) -> Long.compare(offsets[a], offsets[b]));
        for (int k = 1; k < order.length; k++) {
            int prev = order[k - 1];
            int cur = order[k];
            if (offsets[prev] + sizes[prev] > offsets[cur]) {
                throw new GgufFormatException("gguf.tensor-offset", dataStart, "tensors \""
                        + clip(tensorNames[prev]) + "\" and \"" + clip(tensorNames[cur]) + "\" overlap");
            }
        }
    }

    private void readAlignment(GgufValueType type, long at) throws IOException {
        if (type != GgufValueType.UINT32) {
            throw new GgufFormatException("gguf.alignment", at, "general.alignment is " + type + ", not UINT32");
        }
        long value = in.u32();
        if (value == 0 || Long.bitCount(value) != 1) {
            throw new GgufFormatException("gguf.alignment", at, "general.alignment " + value
                    + " is not a power of two");
        }
        alignment = value;
    }

    /**
     * A chat template is a Jinja program the runtime renders on every request: reported so people
     * know it is there, and refused unless it parses as the Jinja subset chat templates use
     * ({@link ChatTemplate}).
     */
    private void chatTemplate(String key, long at) throws IOException {
        long length = in.length(version, "chat template");
        if (length > in.remaining()) {
            throw new GgufFormatException("gguf.length", in.position(), "chat template of " + length
                    + " bytes runs past the end of the file");
        }
        findings.add(finding("gguf.chat-template", Severity.INFO, at, key + " holds a " + length
                + "-byte Jinja chat template; it is rendered at inference time and must run in a sandbox"));
        if (length > MAX_TEMPLATE_BYTES) {
            findings.add(finding("gguf.chat-template.unchecked", Severity.HIGH, at, key + " is a " + length
                    + "-byte template, past the " + MAX_TEMPLATE_BYTES + " bytes this check parses"));
            in.skip(length, "chat template");
            return;
        }
        byte[] bytes = in.bytes((int) length);
        String template;
        try {
            template = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            findings.add(finding("gguf.chat-template.escape", Severity.HIGH, at, key + " is not valid UTF-8, so"
                    + " renderers may read it differently"));
            return;
        }
        try {
            ChatTemplate.check(template);
        } catch (ChatTemplate.Refused e) {
            findings.add(finding("gguf.chat-template.escape", Severity.HIGH, at, key + ": " + e.getMessage()
                    + "; chat templates need no such construct, and it is how a template escapes its renderer"
                    + " (CVE-2024-34359)"));
        } catch (StackOverflowError e) {
            findings.add(finding("gguf.chat-template.escape", Severity.HIGH, at, key + " nests too deep to parse"));
        }
    }

    private void skipValue(GgufValueType type, int depth) throws IOException {
        switch (type) {
            case STRING -> in.skip(in.length(version, "string length"), "string");
            case ARRAY -> {
                long at = in.position();
                GgufValueType element = valueType("array element");
                long count = in.length(version, "array length");
                if (element == GgufValueType.ARRAY && depth + 1 >= MAX_ARRAY_DEPTH) {
                    throw new GgufFormatException("gguf.array", at, "arrays nested deeper than " + MAX_ARRAY_DEPTH);
                }
                long minimum = element.width > 0 ? element.width : element == GgufValueType.STRING
                        ? (version == 1 ? 4 : 8) : (version == 1 ? 8 : 12);
                if (count > in.remaining() / minimum) {
                    throw new GgufFormatException("gguf.array", at, "array of " + count + " " + element
                            + " values cannot fit in the " + in.remaining() + " bytes left");
                }
                if (element.width > 0) {
                    in.skip(count * element.width, "array");
                } else {
                    for (long i = 0; i < count; i++) {
                        skipValue(element, depth + 1);
                    }
                }
            }
            default -> in.skip(type.width, type.name());
        }
    }

    private GgufValueType valueType(String what) throws IOException {
        long at = in.position();
        long code = in.u32();
        GgufValueType type = GgufValueType.of(code);
        if (type == null) {
            throw new GgufFormatException("gguf.value-type", at, what + " has unknown value type " + code);
        }
        return type;
    }

    private String name(String what) throws IOException {
        long at = in.position();
        long length = in.length(version, what + " length");
        if (length > in.remaining()) {
            throw new GgufFormatException("gguf.length", at, what + " length " + length
                    + " runs past the end of the file");
        }
        if (length > MAX_NAME_BYTES) {
            throw new GgufFormatException("gguf.length", at, what + " of " + length + " bytes is not a name");
        }
        return in.utf8((int) length, what);
    }

    private Finding finding(String rule, Severity severity, long offset, String message) {
        return new Finding(rule, severity, source.name() + "@" + offset, message);
    }

    private static long alignUp(long position, long alignment) {
        long rest = position % alignment;
        return rest == 0 ? position : position + alignment - rest;
    }

    private static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
