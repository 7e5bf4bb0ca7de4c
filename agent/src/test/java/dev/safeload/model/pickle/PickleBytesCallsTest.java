package dev.safeload.model.pickle;

import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;
import static dev.safeload.model.Scans.scan;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.model.ModelPolicies;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ScanResult;
import dev.safeload.model.Severity;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code builtins.bytes} and {@code builtins.bytearray} pass only as CPython calls them. The
 * committed fixtures, and proof that the C unpickler really makes each refused call, come from
 * {@code src/test/resources/dev/safeload/model/pickle/make_bytes_fixtures.py}.
 */
class PickleBytesCallsTest {

    private static ScanResult scanResource(String file) throws Exception {
        Path path = Path.of(PickleBytesCallsTest.class.getResource("/dev/safeload/model/pickle/" + file).toURI());
        return new ModelScanner(ModelPolicies.defaults()).scanFile(path);
    }

    /** b'' is bytes() in protocols 0-2, inside an OrderedDict as a state dict holds it (the false positive this fixes). */
    @Test
    void allowsEmptyBytesAndBytearraysAsCpythonPicklesThem() throws Exception {
        for (int protocol = 0; protocol <= 2; protocol++) {
            assertAllowed(scanResource("bytes_values_protocol" + protocol + ".pkl"));
        }
    }

    /** bytes(10**12) allocates a terabyte: the import is allowed, that call is not. */
    @Test
    void refusesBytesCallThatAllocatesATerabyte() throws Exception {
        for (String file : new String[] {"bytes_huge_reduce.pkl", "bytearray_huge_reduce.pkl", "bytes_huge_newobj.pkl",
                "bytes_huge_newobj_ex.pkl"}) {
            ScanResult r = scanResource(file);
            assertBlocked(r, PickleMachine.RULE_CALL_ARGUMENTS, Severity.HIGH);
            assertTrue(r.findings().stream().anyMatch(f -> f.message().contains("bytes(n) allocates n bytes")), file + ": " + r);
        }
    }

    @Test
    void allowsBytesFromLiteralsWhoseSizeThePickleBounds() {
        // bytes([1, 2, 255]) and Python 2's bytearray(u'ab', 'latin-1')
        byte[] list = PickleBuilder.proto(2).global("__builtin__", "bytes").op(PickleOp.EMPTY_LIST).op(PickleOp.MARK)
                .int1(1).int1(2).int1(255).op(PickleOp.APPENDS).op(PickleOp.TUPLE1).reduce().stop().bytes();
        assertAllowed(scan("list.pkl", list));
        byte[] py2 = PickleBuilder.proto(2).global("__builtin__", "bytearray").str("ab").str("latin-1")
                .op(PickleOp.TUPLE2).reduce().stop().bytes();
        assertAllowed(scan("py2.pkl", py2));
    }

    @Test
    void refusesBytesCallsCpythonNeverWrites() {
        // bytes(5): a size, however small; bytes([1, 1000]); bytearray('ab', 'rot13'); bytes of an untracked call
        byte[] size = PickleBuilder.proto(2).global("__builtin__", "bytes").int1(5).op(PickleOp.TUPLE1).reduce().stop().bytes();
        byte[] bigItem = PickleBuilder.proto(2).global("__builtin__", "bytes").op(PickleOp.EMPTY_LIST).op(PickleOp.MARK)
                .int1(1).op(PickleOp.BININT2).le(1000, 2).op(PickleOp.APPENDS).op(PickleOp.TUPLE1).reduce().stop().bytes();
        byte[] encoding = PickleBuilder.proto(2).global("__builtin__", "bytearray").str("ab").str("rot13")
                .op(PickleOp.TUPLE2).reduce().stop().bytes();
        byte[] viaSet = PickleBuilder.proto(2).global("__builtin__", "bytes").global("__builtin__", "set")
                .op(PickleOp.EMPTY_TUPLE).reduce().op(PickleOp.TUPLE1).reduce().stop().bytes();
        for (byte[] pickle : new byte[][] {size, bigItem, encoding, viaSet}) {
            assertBlocked(scan("call.pkl", pickle), PickleMachine.RULE_CALL_ARGUMENTS, Severity.HIGH);
        }
    }
}
