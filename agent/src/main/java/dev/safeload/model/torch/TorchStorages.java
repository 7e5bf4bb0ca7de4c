package dev.safeload.model.torch;

import dev.safeload.model.pickle.PyValue;
import java.util.Map;

/** Bytes per element of PyTorch's storage classes, to step over legacy checkpoints' raw tensor data. */
final class TorchStorages {

    private static final Map<String, Integer> ELEMENT_SIZE = Map.ofEntries(
            Map.entry("DoubleStorage", 8), Map.entry("FloatStorage", 4), Map.entry("HalfStorage", 2),
            Map.entry("BFloat16Storage", 2), Map.entry("LongStorage", 8), Map.entry("IntStorage", 4),
            Map.entry("ShortStorage", 2), Map.entry("CharStorage", 1), Map.entry("ByteStorage", 1),
            Map.entry("BoolStorage", 1), Map.entry("ComplexDoubleStorage", 16), Map.entry("ComplexFloatStorage", 8),
            Map.entry("QUInt8Storage", 1), Map.entry("QInt8Storage", 1), Map.entry("QInt32Storage", 4),
            Map.entry("QUInt4x2Storage", 1), Map.entry("QUInt2x4Storage", 1), Map.entry("UntypedStorage", 1));

    private TorchStorages() {
    }

    /** The element size of a storage class such as {@code torch.FloatStorage}, or -1. */
    static int elementSize(Object storageType) {
        if (storageType instanceof PyValue.Global g
                && (g.module().equals("torch") || g.module().equals("torch.cuda") || g.module().equals("torch.storage"))) {
            Integer size = ELEMENT_SIZE.get(g.name());
            return size == null ? -1 : size;
        }
        return -1;
    }
}
