package dev.safeload.model.onnx;

import static dev.safeload.model.ProtoMessage.message;

import dev.safeload.model.ProtoMessage;

/** The onnx.proto message shapes the tests write, with {@link ProtoMessage}. */
final class OnnxProto {

    private OnnxProto() {
    }

    static ProtoMessage inlineTensor(String name) {
        return message().varint(1, 2).varint(2, 1).string(8, name).bytes(9, new byte[8]);
    }

    static ProtoMessage externalTensor(String name, String location) {
        return message().varint(1, 2).varint(2, 1).string(8, name)
                .message(13, message().string(1, "location").string(2, location))
                .message(13, message().string(1, "offset").string(2, "0"))
                .message(13, message().string(1, "length").string(2, "8"))
                .varint(14, 1);
    }

    static ProtoMessage node(String opType, String domain) {
        ProtoMessage node = message().string(1, "X").string(2, "Y").string(3, opType + "_0").string(4, opType);
        return domain.isEmpty() ? node : node.string(7, domain);
    }

    static ProtoMessage graph(ProtoMessage... initializers) {
        ProtoMessage graph = message().message(1, node("MatMul", "")).string(2, "g");
        for (ProtoMessage initializer : initializers) {
            graph.message(5, initializer);
        }
        return graph;
    }

    static ProtoMessage model(ProtoMessage graph) {
        return message().varint(1, 8).string(2, "safeload-test").message(7, graph)
                .message(8, message().string(1, "").varint(2, 17));
    }
}
