package dev.safeload.model.pickle;

import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;
import static dev.safeload.model.Scans.scan;

import dev.safeload.model.ModelPolicies;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ScanResult;
import dev.safeload.model.Severity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Pickles that CPython's three reading modes (C on bytes, C on a file, pickle.py) read
 * differently. The committed fixtures and what each real reader does with them come from
 * {@code src/test/resources/dev/safeload/model/pickle/make_fixtures.py}.
 */
class PickleReadingModesTest {

    private static ScanResult scanResource(String file) throws Exception {
        Path path = Path.of(PickleReadingModesTest.class.getResource("/dev/safeload/model/pickle/" + file).toURI());
        return new ModelScanner(ModelPolicies.defaults()).scanFile(path);
    }

    /** pickle.load of a BytesIO (torch.load's way) runs posix.system; loads() and pickletools see bytes data. */
    @Test
    void refusesArgumentThatCrossesFrameEndWhereLoadFromFileRunsHiddenGlobal() throws Exception {
        assertBlocked(scanResource("frame_straddle.pkl"), PickleMachine.RULE_FRAME, Severity.HIGH);
        // The twin: the same bytes unframed, which all three readers load as None.
        assertAllowed(scanResource("frame_straddle_twin.pkl"));
    }

    @Test
    void refusesFrameThatStartsInsideAnotherFrame() {
        byte[] nested = PickleBuilder.proto(4).op(PickleOp.FRAME).le(11, 8).op(PickleOp.FRAME).le(1, 8)
                .op(PickleOp.NONE).op(PickleOp.STOP).bytes();
        assertBlocked(scan("x.pkl", nested), PickleMachine.RULE_FRAME, Severity.HIGH);
        byte[] twin = PickleBuilder.proto(4).op(PickleOp.FRAME).le(2, 8).op(PickleOp.NONE).op(PickleOp.STOP).bytes();
        assertAllowed(scan("x.pkl", twin));
    }

    /** I010: the C unpickler reads octal 8 (strtol base 0), pickle.py raises ValueError. */
    @Test
    void refusesIntLiteralTheTwoUnpicklersReadDifferently() throws Exception {
        assertBlocked(scanResource("int_octal.pkl"), PickleMachine.RULE_LITERAL, Severity.HIGH);
        assertAllowed(scanResource("int_octal_twin.pkl"));
        // Verified with CPython 3.11: C reads " 1" and "-0" as bools, pickle.py as ints; "5\0zz" only C reads.
        for (String literal : new String[] {" 1", "-0", "+1", "07", "5\0zz"}) {
            assertBlocked(scan("x.pkl", protocol0("I" + literal + "\n.")), PickleMachine.RULE_LITERAL, Severity.HIGH);
        }
        for (String literal : new String[] {"00", "01", "0x1", "1_0", "0o10", "1 ", "99999999999999999999"}) {
            assertAllowed(scan("x.pkl", protocol0("I" + literal + "\n.")));
        }
    }

    /** C: PyOS_string_to_double takes no whitespace or underscores and stops at a NUL; pickle.py's float() differs. */
    @Test
    void refusesFloatAndLongLiteralsTheUnpicklersReadDifferently() {
        for (String literal : new String[] {"F 1.5\n.", "F1_0.5\n.", "F1.5\0x\n.", "L5\0L\n."}) {
            assertBlocked(scan("x.pkl", protocol0(literal)), PickleMachine.RULE_LITERAL, Severity.HIGH);
        }
        for (String literal : new String[] {"F1.5\n.", "Finf\n.", "F1e5\n.", "L1L\n.", "L10\n."}) {
            assertAllowed(scan("x.pkl", protocol0(literal)));
        }
    }

    /** GET and PUT read base 10 in both unpicklers (verified: g010 fetches index 10; g0x1 is an error). */
    @Test
    void readsMemoIndicesInBaseTen() {
        assertAllowed(scan("x.pkl", protocol0("K\u0007p010\n0g10\n.")));
        assertBlocked(scan("x.pkl", protocol0("K\u0007p16\n0g0x10\n.")), PickleMachine.RULE_MALFORMED, Severity.HIGH);
    }

    /** raw-unicode-escape: an escaped backslash escapes nothing, so "\\\\u0041" stays five characters (verified). */
    @Test
    void decodesProtocolZeroUnicodeAsCpythonDoes() {
        // With an odd run of backslashes the escape applies: the module is "posix".
        byte[] evil = protocol0("c" + "posix\nsystem\n" + "(V\\u0069d\ntR.");
        assertBlocked(scan("x.pkl", evil), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        // A truncated escape is an error in CPython, so it is malformed here too.
        assertBlocked(scan("x.pkl", protocol0("V\\u00\n.")), PickleMachine.RULE_MALFORMED, Severity.HIGH);
        assertAllowed(scan("x.pkl", protocol0("V\\\\u0041\n.")));
    }

    /** Protocol-0 opcodes after a PROTO 2 header (so that the scanner takes the bytes for a pickle). */
    private static byte[] protocol0(String text) {
        return ("\u0080\u0002" + text).getBytes(StandardCharsets.ISO_8859_1);
    }
}
