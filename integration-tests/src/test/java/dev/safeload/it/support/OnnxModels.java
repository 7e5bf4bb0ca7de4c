package dev.safeload.it.support;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * ONNX models written field by field with protobuf's wire writer, from onnx.proto's field
 * numbers: {@code C = A + B} over two floats, with B either an input or an initializer whose
 * data lives in an external file.
 */
public final class OnnxModels {

    private OnnxModels() {
    }

    /** C = A + B, both inputs of shape [2]. */
    public static byte[] add() throws IOException {
        return model(graph(null, true));
    }

    /** C = A + B where B's 8 bytes are read from {@code location}, relative to the model's folder. */
    public static byte[] addWithExternalInitializer(String location) throws IOException {
        return model(graph(location, false));
    }

    private static byte[] model(byte[] graph) throws IOException {
        return message(out -> {
            out.writeInt64(1, 8); // ir_version
            out.writeString(2, "safeload-tests"); // producer_name
            out.writeByteArray(7, graph); // graph
            out.writeByteArray(8, message(op -> { // opset_import
                op.writeString(1, "");
                op.writeInt64(2, 13);
            }));
        });
    }

    private static byte[] graph(String externalLocation, boolean bIsInput) throws IOException {
        return message(g -> {
            g.writeByteArray(1, message(node -> { // node
                node.writeString(1, "A");
                node.writeString(1, "B");
                node.writeString(2, "C");
                node.writeString(4, "Add");
            }));
            g.writeString(2, "add");
            if (externalLocation != null) {
                g.writeByteArray(5, message(t -> { // initializer: TensorProto
                    t.writeInt64(1, 2); // dims
                    t.writeInt32(2, 1); // data_type FLOAT
                    t.writeString(8, "B"); // name
                    t.writeByteArray(13, entry("location", externalLocation)); // external_data
                    t.writeByteArray(13, entry("length", "8"));
                    t.writeEnum(14, 1); // data_location EXTERNAL
                }));
            }
            g.writeByteArray(11, valueInfo("A"));
            if (bIsInput) {
                g.writeByteArray(11, valueInfo("B"));
            }
            g.writeByteArray(12, valueInfo("C"));
        });
    }

    private static byte[] entry(String key, String value) throws IOException {
        return message(e -> {
            e.writeString(1, key);
            e.writeString(2, value);
        });
    }

    private static byte[] valueInfo(String name) throws IOException {
        return message(v -> {
            v.writeString(1, name);
            v.writeByteArray(2, message(type -> type.writeByteArray(1, message(tensor -> {
                tensor.writeInt32(1, 1); // elem_type FLOAT
                tensor.writeByteArray(2, message(shape -> shape.writeByteArray(1, message(dim -> dim.writeInt64(1, 2)))));
            }))));
        });
    }

    private interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        body.write(out);
        out.flush();
        return bytes.toByteArray();
    }
}
