package dev.safeload.model.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.safeload.model.Finding;
import dev.safeload.model.ModelSource;
import dev.safeload.model.Severity;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The JSON header of a safetensors file, validated as the reference implementation
 * ({@code safetensors::SafeTensors::read_metadata}) validates it before any tensor is touched.
 * Only the 8-byte length and the header are read; the tensor data never is.
 */
final class SafetensorsHeader {

    /** The reference refuses headers above 100 MB ({@code MAX_HEADER_SIZE}). */
    static final long MAX_HEADER_SIZE = 100_000_000L;

    private static final int MAX_FINDINGS = 16;

    // Duplicate keys would let two readers disagree on which entry is the tensor.
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final ModelSource source;
    private final List<Finding> findings = new ArrayList<>();
    private long[] starts = new long[64];
    private long[] ends = new long[64];
    private int tensors;

    private SafetensorsHeader(ModelSource source) {
        this.source = source;
    }

    /** Validates the header of {@code source}; an empty list means the reference would accept it. */
    static List<Finding> validate(ModelSource source) throws IOException {
        return new SafetensorsHeader(source).run();
    }

    private List<Finding> run() throws IOException {
        long fileSize = source.size();
        byte[] prefix = new byte[9];
        int got = readFully(0, prefix);
        if (got < 8) {
            return block("safetensors.header.too-small", 0, "file has " + fileSize
                    + " bytes, fewer than the 8-byte header length");
        }
        long n = littleEndianLong(prefix);
        if (n < 0 || n > MAX_HEADER_SIZE) {
            return block("safetensors.header.too-large", 0, "header length " + Long.toUnsignedString(n)
                    + " exceeds the reference limit of " + MAX_HEADER_SIZE + " bytes");
        }
        if (8 + n > fileSize) {
            return block("safetensors.header.truncated", 0, "header length " + n + " runs past the end of the "
                    + fileSize + "-byte file");
        }
        if (n == 0 || got < 9 || prefix[8] != '{') {
            return block("safetensors.header.start", 8, "header does not start with '{'");
        }
        try (InputStream in = new HeaderStream(source, 8, 8 + n); JsonParser parser = JSON.createParser(in)) {
            parseHeader(parser);
        } catch (HeaderException e) {
            findings.add(finding(e.rule, e.getMessage()));
            return findings;
        } catch (JsonProcessingException e) {
            findings.add(finding("safetensors.header.json", "header is not valid JSON: "
                    + clip(e.getOriginalMessage())));
            return findings;
        } catch (CharConversionException e) {
            findings.add(finding("safetensors.header.json", "header is not valid UTF-8"));
            return findings;
        }
        if (!findings.isEmpty()) {
            return findings;
        }
        long dataEnd = checkOffsets();
        if (dataEnd >= 0 && 8 + n + dataEnd != fileSize) {
            findings.add(finding("safetensors.size-mismatch", "tensor data ends at byte " + (8 + n + dataEnd)
                    + " but the file has " + fileSize + " bytes; the reference refuses a buffer it does not"
                    + " fully cover"));
        }
        return findings;
    }

    private void parseHeader(JsonParser parser) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw new HeaderException("safetensors.header.json", "header is not a JSON object");
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals("__metadata__")) {
                parseMetadata(parser, value);
            } else {
                parseTensor(parser, name, value);
            }
        }
        if (parser.nextToken() != null) {
            throw new HeaderException("safetensors.header.json", "content after the header object");
        }
    }

    private static void parseMetadata(JsonParser parser, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return;
        }
        if (value != JsonToken.START_OBJECT) {
            throw new HeaderException("safetensors.metadata", "__metadata__ is not an object of strings");
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            if (parser.nextToken() != JsonToken.VALUE_STRING) {
                throw new HeaderException("safetensors.metadata", "__metadata__ value of \"" + clip(key)
                        + "\" is not a string");
            }
        }
    }

    private void parseTensor(JsonParser parser, String name, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            throw new HeaderException("safetensors.tensor", "entry \"" + clip(name) + "\" is not a tensor object");
        }
        String dtypeName = null;
        long elements = -1;
        long start = -1;
        long end = -1;
        boolean overflow = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken token = parser.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (token != JsonToken.VALUE_STRING) {
                        throw new HeaderException("safetensors.dtype", "tensor \"" + clip(name)
                                + "\" has a dtype that is not a string");
                    }
                    dtypeName = parser.getText();
                }
                case "shape" -> {
                    if (token != JsonToken.START_ARRAY) {
                        throw new HeaderException("safetensors.shape", "tensor \"" + clip(name)
                                + "\" has a shape that is not an array");
                    }
                    elements = 1;
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        long dim = unsigned(parser, name, "shape");
                        if (dim < 0) {
                            overflow = true;
                            continue;
                        }
                        try {
                            elements = Math.multiplyExact(elements, dim);
                        } catch (ArithmeticException e) {
                            overflow = true;
                        }
                    }
                }
                case "data_offsets" -> {
                    if (token != JsonToken.START_ARRAY) {
                        throw new HeaderException("safetensors.offsets", "tensor \"" + clip(name)
                                + "\" has data_offsets that are not an array");
                    }
                    long[] pair = new long[2];
                    int count = 0;
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        long v = unsigned(parser, name, "data_offsets");
                        if (count < 2) {
                            pair[count] = v;
                        }
                        count++;
                    }
                    if (count != 2) {
                        throw new HeaderException("safetensors.offsets", "tensor \"" + clip(name)
                                + "\" has " + count + " data_offsets, not 2");
                    }
                    if (pair[0] < 0 || pair[1] < 0) {
                        throw new HeaderException("safetensors.offsets", "tensor \"" + clip(name)
                                + "\" has data_offsets beyond any file");
                    }
                    start = pair[0];
                    end = pair[1];
                }
                default -> parser.skipChildren(); // the reference ignores unknown fields
            }
        }
        if (dtypeName == null || elements < 0 || start < 0) {
            throw new HeaderException("safetensors.tensor", "tensor \"" + clip(name)
                    + "\" lacks one of dtype, shape and data_offsets");
        }
        SafetensorsDtype dtype = SafetensorsDtype.named(dtypeName);
        if (dtype == null) {
            add("safetensors.dtype", "tensor \"" + clip(name) + "\" has unknown dtype \"" + clip(dtypeName) + "\"");
            return;
        }
        if (overflow || elements > Long.MAX_VALUE / dtype.bits) {
            add("safetensors.shape", "tensor \"" + clip(name) + "\" has a shape whose byte size overflows");
            return;
        }
        long bits = elements * dtype.bits;
        if (bits % 8 != 0) {
            add("safetensors.shape", "tensor \"" + clip(name) + "\" of " + dtype + " does not fill whole bytes");
            return;
        }
        if (end < start || end - start != bits / 8) {
            add("safetensors.span", "tensor \"" + clip(name) + "\" spans [" + start + ", " + end + ") but "
                    + dtype + " " + elements + " elements need " + bits / 8 + " bytes");
            return;
        }
        if (tensors == starts.length) {
            starts = Arrays.copyOf(starts, tensors * 2);
            ends = Arrays.copyOf(ends, tensors * 2);
        }
        starts[tensors] = start;
        ends[tensors] = end;
        tensors++;
    }

    /**
     * Tensors sorted by offset must tile {@code [0, end)} with no gap and no overlap, as in the
     * reference's {@code Metadata::validate}. Returns the end of the data, or -1 after a finding.
     */
    private long checkOffsets() {
        Integer[] order = new Integer[tensors];
        for (int i = 0; i < tensors; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> starts[a] != starts[b] ? Long.compare(starts[a], starts[b])
                : Long.compare(ends[a], ends[b]));
        long expected = 0;
        for (int i : order) {
            if (starts[i] != expected) {
                String what = starts[i] < expected ? "overlaps the tensor before it" : "leaves a gap after "
                        + expected;
                findings.add(finding("safetensors.offsets", "tensor data at [" + starts[i] + ", " + ends[i]
                        + ") " + what + "; tensors must be contiguous from offset 0"));
                return -1;
            }
            expected = ends[i];
        }
        return expected;
    }

    /** A JSON integer in {@code [0, Long.MAX_VALUE]}, or -1 for a larger one (usize overflow for us). */
    private static long unsigned(JsonParser parser, String tensor, String field) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new HeaderException("safetensors." + (field.equals("shape") ? "shape" : "offsets"), "tensor \""
                    + clip(tensor) + "\" has a " + field + " entry that is not an integer");
        }
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            if (parser.getBigIntegerValue().signum() < 0) {
                throw new HeaderException("safetensors.offsets", "tensor \"" + clip(tensor) + "\" has a negative "
                        + field + " entry");
            }
            return -1;
        }
        long v = parser.getLongValue();
        if (v < 0) {
            throw new HeaderException("safetensors." + (field.equals("shape") ? "shape" : "offsets"), "tensor \""
                    + clip(tensor) + "\" has a negative " + field + " entry");
        }
        return v;
    }

    private void add(String rule, String message) {
        if (findings.size() < MAX_FINDINGS) {
            findings.add(finding(rule, message));
        }
    }

    private List<Finding> block(String rule, long offset, String message) {
        findings.add(new Finding(rule, Severity.HIGH, source.name() + "@" + offset, message));
        return findings;
    }

    private Finding finding(String rule, String message) {
        return new Finding(rule, Severity.HIGH, source.name() + "@8", message);
    }

    private int readFully(long position, byte[] buffer) throws IOException {
        int total = 0;
        while (total < buffer.length) {
            int n = source.read(position + total, buffer, total, buffer.length - total);
            if (n <= 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static long littleEndianLong(byte[] b) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }

    static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /** A structural problem that ends parsing; it becomes one finding. */
    private static final class HeaderException extends IOException {
        final String rule;

        HeaderException(String rule, String message) {
            super(message);
            this.rule = rule;
        }
    }
}
