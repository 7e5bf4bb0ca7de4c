package dev.safeload.model.onnx;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Writes ONNX protobuf messages field by field with {@link CodedOutputStream}, for fixtures. */
final class OnnxProto {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

    static OnnxProto message() {
        return new OnnxProto();
    }

    OnnxProto varint(int field, long value) {
        try {
            out.writeInt64(field, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    OnnxProto string(int field, String value) {
        try {
            out.writeString(field, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    OnnxProto bytes(int field, byte[] value) {
        try {
            out.writeByteArray(field, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    OnnxProto message(int field, OnnxProto value) {
        return bytes(field, value.build());
    }

    byte[] build() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    // onnx.proto shapes used by the tests.

    static OnnxProto inlineTensor(String name) {
        return message().varint(1, 2).varint(2, 1).string(8, name).bytes(9, new byte[8]);
    }

    static OnnxProto externalTensor(String name, String location) {
        return message().varint(1, 2).varint(2, 1).string(8, name)
                .message(13, message().string(1, "location").string(2, location))
                .message(13, message().string(1, "offset").string(2, "0"))
                .message(13, message().string(1, "length").string(2, "8"))
                .varint(14, 1);
    }

    static OnnxProto node(String opType, String domain) {
        OnnxProto node = message().string(1, "X").string(2, "Y").string(3, opType + "_0").string(4, opType);
        return domain.isEmpty() ? node : node.string(7, domain);
    }

    static OnnxProto graph(OnnxProto... initializers) {
        OnnxProto graph = message().message(1, node("MatMul", "")).string(2, "g");
        for (OnnxProto initializer : initializers) {
            graph.message(5, initializer);
        }
        return graph;
    }

    static OnnxProto model(OnnxProto graph) {
        return message().varint(1, 8).string(2, "safeload-test").message(7, graph)
                .message(8, message().string(1, "").varint(2, 17));
    }
}
