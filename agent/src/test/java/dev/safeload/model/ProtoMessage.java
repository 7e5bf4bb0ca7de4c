package dev.safeload.model;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes one protobuf message field by field with {@link CodedOutputStream}, for fixtures of the
 * protobuf formats (ONNX, TensorFlow); each format's test package keeps its message shapes.
 */
public final class ProtoMessage {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

    private ProtoMessage() {
    }

    public static ProtoMessage message() {
        return new ProtoMessage();
    }

    public ProtoMessage varint(int field, long value) {
        return write(() -> out.writeInt64(field, value));
    }

    public ProtoMessage string(int field, String value) {
        return write(() -> out.writeString(field, value));
    }

    public ProtoMessage bytes(int field, byte[] value) {
        return write(() -> out.writeByteArray(field, value));
    }

    public ProtoMessage message(int field, ProtoMessage value) {
        return bytes(field, value.build());
    }

    public byte[] build() {
        write(out::flush);
        return bytes.toByteArray();
    }

    private interface Write {
        void run() throws IOException;
    }

    private ProtoMessage write(Write write) {
        try {
            write.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}
