package dev.safeload.model.pickle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Opcode-dense input (small ints, short strings, memo traffic, floats and tuples, about 3 bytes
 * per opcode) is interpreted to the end with no finding. How fast is a benchmark's question,
 * not a unit test's: see the benchmarks module.
 */
class OpcodeDenseInputTest {

    static byte[] opcodeDense(int mib) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(mib << 20);
        byte[] head = PickleBuilder.proto(4).op(PickleOp.EMPTY_LIST).str("key").op(PickleOp.MEMOIZE).op(PickleOp.POP).bytes();
        out.writeBytes(head);
        byte[] chunk = chunk();
        while (out.size() < (mib << 20)) {
            out.writeBytes(chunk);
        }
        out.write(PickleOp.STOP.code);
        return out.toByteArray();
    }

    private static byte[] chunk() {
        PickleBuilder b = PickleBuilder.protocol0().mark();
        for (int i = 0; i < 1000; i++) {
            switch (i % 5) {
                case 0 -> b.int1(i & 0xff);
                case 1 -> b.str("w" + (i % 7));
                case 2 -> b.binget(0);
                case 3 -> b.op(PickleOp.BINFLOAT).le(Double.doubleToLongBits(i), 8);
                default -> b.int1(1).int1(2).op(PickleOp.TUPLE2);
            }
        }
        return b.op(PickleOp.APPENDS).bytes();
    }

    @Test
    void interpretsOpcodeDenseInputToTheEndWithoutFindings() throws IOException {
        byte[] bytes = opcodeDense(8);
        PickleImports imports = new PickleImports(PickleImports.safeGlobals(), PickleImports.dangerousGlobals());
        List<Finding> findings = new ArrayList<>();
        PickleMachine.Outcome o = new PickleMachine(imports, PickleMachine.Limits.DEFAULTS, findings)
                .run(new PickleInput(ModelSource.of("dense", bytes, null), 0), "dense");
        assertTrue(o.complete(), findings::toString);
        assertEquals(List.of(), findings);
    }
}
