package dev.safeload.model.pickle;

import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;
import static dev.safeload.model.Scans.scan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelPolicies;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ScanResult;
import dev.safeload.model.Severity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PickleMachineTest {

    private static final String OS = "posix";

    @Test
    void allowsStateDictOfTensorRebuilds() {
        ScanResult r = scan("model.pkl", PickleBuilder.proto(2).stateDict("w", "b").stop().bytes());
        assertAllowed(r);
        assertEquals(List.of("pickle"), r.formats());
    }

    @Test
    void blocksOsSystemReducer() {
        assertBlocked(scan("x.pkl", PickleBuilder.proto(2).call(OS, "system", "id").stop().bytes()),
                PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
    }

    @Test
    void resolvesStackGlobalNamesFromTheMemo() {
        byte[] evil = PickleBuilder.proto(4).str("os").binput(0).str("getcwd").binput(1).str("pad").op(PickleOp.POP)
                .binget(0).binget(1).op(PickleOp.STACK_GLOBAL).op(PickleOp.EMPTY_TUPLE).reduce().stop().bytes();
        ScanResult r = scan("x.pkl", evil);
        assertBlocked(r, PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        assertTrue(r.findings().get(0).message().contains("os.getcwd"));

        byte[] twin = PickleBuilder.proto(4).str("collections").binput(0).op(PickleOp.POP).str("OrderedDict").binput(1).op(PickleOp.POP)
                .binget(0).binget(1).op(PickleOp.STACK_GLOBAL).op(PickleOp.EMPTY_TUPLE).reduce().stop().bytes();
        assertAllowed(scan("x.pkl", twin));
    }

    @Test
    void resolvesMemoizeIndicesByMemoSizeNotByPosition() {
        // BINPUT 7 then MEMOIZE: MEMOIZE stores at len(memo) == 1, so BINGET 1 is "system".
        byte[] evil = PickleBuilder.proto(4).str("os").binput(7).op(PickleOp.POP).str("system").op(PickleOp.MEMOIZE)
                .op(PickleOp.POP).binget(7).binget(1).op(PickleOp.STACK_GLOBAL).stop().bytes();
        assertBlocked(scan("x.pkl", evil), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
    }

    @Test
    void blocksStackGlobalWithComputedName() {
        // The module name is the result of a call, not a literal: it cannot be judged.
        byte[] evil = PickleBuilder.proto(4).global("_codecs", "encode").mark().str("os").str("latin1").tuple().reduce()
                .str("system").op(PickleOp.STACK_GLOBAL).stop().bytes();
        assertBlocked(scan("x.pkl", evil), PickleMachine.RULE_COMPUTED, Severity.CRITICAL);
        byte[] twin = PickleBuilder.proto(4).str("collections").str("OrderedDict").op(PickleOp.STACK_GLOBAL).stop().bytes();
        assertAllowed(scan("x.pkl", twin));
    }

    @Test
    void blocksInstObjAndNewobjExOfUnknownClasses() {
        assertBlocked(scan("a", PickleBuilder.protocol0().mark().str("id").inst("os", "system").stop().bytes()),
                PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        assertBlocked(scan("b", PickleBuilder.proto(1).mark().global("subprocess", "Popen").str("id").op(PickleOp.OBJ).stop().bytes()),
                PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        assertBlocked(scan("c", PickleBuilder.proto(4).global("evil.module", "Thing").op(PickleOp.EMPTY_TUPLE)
                        .op(PickleOp.EMPTY_DICT).op(PickleOp.NEWOBJ_EX).stop().bytes()),
                PickleMachine.RULE_UNKNOWN, Severity.HIGH);
        // Benign twins: the same opcodes on allowlisted classes.
        assertAllowed(scan("a2", PickleBuilder.protocol0().mark().inst("collections", "OrderedDict").stop().bytes()));
        assertAllowed(scan("b2", PickleBuilder.proto(1).mark().global("builtins", "set").op(PickleOp.OBJ).stop().bytes()));
        assertAllowed(scan("c2", PickleBuilder.proto(4).global("collections", "OrderedDict").op(PickleOp.EMPTY_TUPLE)
                .op(PickleOp.EMPTY_DICT).op(PickleOp.NEWOBJ_EX).stop().bytes()));
    }

    @Test
    void blocksExtensionCodes() {
        assertBlocked(scan("x", PickleBuilder.proto(2).op(PickleOp.EXT1).u8(1).op(PickleOp.EMPTY_TUPLE).reduce().stop().bytes()),
                PickleMachine.RULE_EXTENSION, Severity.HIGH);
        assertBlocked(scan("x", PickleBuilder.proto(2).op(PickleOp.EXT4).le(0x12345, 4).stop().bytes()),
                PickleMachine.RULE_EXTENSION, Severity.HIGH);
        // Twin: the same call through a named global.
        assertAllowed(scan("x", PickleBuilder.proto(2).global("builtins", "set").op(PickleOp.EMPTY_TUPLE).reduce().stop().bytes()));
    }

    @Test
    void mapsPython2NamesBeforeJudging() {
        assertBlocked(scan("x", PickleBuilder.proto(2).call("__builtin__", "eval", "1").stop().bytes()),
                PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        assertAllowed(scan("x", PickleBuilder.proto(2).global("__builtin__", "set").op(PickleOp.EMPTY_TUPLE).reduce().stop().bytes()));
    }

    @Test
    void blocksAttributeTraversalFromAnAllowedGlobal() {
        byte[] evil = PickleBuilder.proto(4).str("collections").str("OrderedDict.__init__.__globals__")
                .op(PickleOp.STACK_GLOBAL).stop().bytes();
        assertBlocked(scan("x", evil), PickleMachine.RULE_TRAVERSAL, Severity.CRITICAL);
    }

    @Test
    void blocksBuildThatPatchesAnImportedClass() {
        byte[] evil = PickleBuilder.proto(2).global("collections", "OrderedDict").op(PickleOp.NONE)
                .op(PickleOp.EMPTY_DICT).str("__reduce__").str("x").op(PickleOp.SETITEM).op(PickleOp.TUPLE2)
                .op(PickleOp.BUILD).stop().bytes();
        assertBlocked(scan("x", evil), PickleMachine.RULE_BUILD_GLOBAL, Severity.CRITICAL);
    }

    @Test
    void blocksJunkAfterStopButNotTheSamePickleAlone() {
        byte[] benign = PickleBuilder.proto(2).stateDict("w").stop().bytes();
        assertAllowed(scan("x", benign));
        byte[] hidden = PickleBuilder.proto(2).call(OS, "system", "id").stop().bytes();
        byte[] both = concat(benign, hidden);
        ScanResult r = scan("x", both);
        assertBlocked(r, PickleCheck.RULE_TRAILING, Severity.HIGH);
        assertBlocked(r, PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
    }

    @Test
    void blocksTruncatedAndMalformedPickles() {
        byte[] whole = PickleBuilder.proto(2).stateDict("w", "b").stop().bytes();
        for (int cut = 3; cut < whole.length; cut += 7) {
            assertBlocked(scan("x", Arrays.copyOf(whole, cut)), PickleMachine.RULE_TRUNCATED, Severity.HIGH);
        }
        // A few sound opcodes first: a file broken at its third byte is blocked as unknown content.
        assertBlocked(scan("x", padded().op(PickleOp.APPENDS).stop().bytes()), PickleMachine.RULE_MALFORMED, Severity.HIGH);
        assertBlocked(scan("x", padded().binget(3).stop().bytes()), PickleMachine.RULE_MALFORMED, Severity.HIGH);
        assertBlocked(scan("x", padded().int1(1).int1(2).stop().bytes()), PickleMachine.RULE_MALFORMED, Severity.HIGH);
        assertBlocked(scan("x", padded().u8(0xff).stop().bytes()), PickleMachine.RULE_MALFORMED, Severity.HIGH);
        assertBlocked(scan("x", PickleBuilder.proto(2).u8(0xff).stop().bytes()), ModelScanner.RULE_UNKNOWN_FORMAT, Severity.HIGH);
    }

    @Test
    void segmentsTheStackAtMarksAsCPythonDoes() {
        // APPEND right after MARK sees an empty segment in CPython (IndexError), even with items below.
        byte[] b = padded().op(PickleOp.EMPTY_LIST).mark().int1(1).op(PickleOp.APPEND).stop().bytes();
        assertBlocked(scan("x", b), PickleMachine.RULE_MALFORMED, Severity.HIGH);
    }

    @Test
    void interpretsEveryOpcodeOfEveryProtocol() throws IOException {
        PickleBuilder b = PickleBuilder.proto(5).op(PickleOp.FRAME).le(0, 8).mark()
                .text("I42\n").op(PickleOp.INT).text("01\n").op(PickleOp.BININT).le(-5, 4).int1(7)
                .op(PickleOp.BININT2).le(500, 2).text("L123L\n").op(PickleOp.LONG1).u8(2).le(0x7fff, 2)
                .op(PickleOp.LONG4).le(1, 4).u8(1)
                .text("S'a\\x41\\n'\n").op(PickleOp.BINSTRING).le(2, 4).text("ab").op(PickleOp.SHORT_BINSTRING).u8(1).text("c")
                .op(PickleOp.BINBYTES).le(2, 4).text("xy").op(PickleOp.SHORT_BINBYTES).u8(1).text("z")
                .op(PickleOp.BINBYTES8).le(1, 8).text("q").op(PickleOp.BYTEARRAY8).le(1, 8).text("r").op(PickleOp.READONLY_BUFFER)
                .text("Vcaf\\u00e9\n").str("short").unicode4("four").op(PickleOp.BINUNICODE8).le(1, 8).text("8")
                .op(PickleOp.NONE).op(PickleOp.NEWTRUE).op(PickleOp.NEWFALSE).text("F1.5e3\n").op(PickleOp.BINFLOAT).le(0, 8)
                .op(PickleOp.EMPTY_LIST).int1(1).op(PickleOp.APPEND).mark().int1(2).op(PickleOp.APPENDS)
                .mark().int1(3).op(PickleOp.LIST).op(PickleOp.EMPTY_TUPLE).mark().int1(4).tuple()
                .int1(1).op(PickleOp.TUPLE1).int1(1).int1(2).op(PickleOp.TUPLE2).int1(1).int1(2).int1(3).op(PickleOp.TUPLE3)
                .op(PickleOp.EMPTY_DICT).str("k").int1(1).op(PickleOp.SETITEM).mark().str("j").int1(2).op(PickleOp.SETITEMS)
                .mark().str("d").int1(3).op(PickleOp.DICT)
                .op(PickleOp.EMPTY_SET).mark().int1(1).op(PickleOp.ADDITEMS).mark().int1(2).op(PickleOp.FROZENSET)
                .int1(9).op(PickleOp.POP).op(PickleOp.DUP).mark().int1(1).op(PickleOp.POP_MARK)
                .text("p0\n").op(PickleOp.GET).text("0\n").binput(1).binget(1).op(PickleOp.LONG_BINPUT).le(2, 4)
                .op(PickleOp.LONG_BINGET).le(2, 4).op(PickleOp.MEMOIZE)
                .global("collections", "OrderedDict").op(PickleOp.EMPTY_TUPLE).reduce().op(PickleOp.EMPTY_DICT).op(PickleOp.BUILD)
                .str("collections").str("OrderedDict").op(PickleOp.STACK_GLOBAL).op(PickleOp.EMPTY_TUPLE).op(PickleOp.NEWOBJ)
                .mark().inst("builtins", "set").mark().global("builtins", "frozenset").op(PickleOp.OBJ)
                .global("builtins", "complex").op(PickleOp.EMPTY_TUPLE).op(PickleOp.EMPTY_DICT).op(PickleOp.NEWOBJ_EX)
                .text("Pkey\n").str("pid").op(PickleOp.BINPERSID)
                .tuple().stop();
        byte[] bytes = b.bytes();
        // Every opcode except the ones that only exist to fail (EXT*, NEXT_BUFFER, PUT's text twin is used).
        List<Finding> findings = new ArrayList<>();
        PickleMachine.Outcome o = new PickleMachine(new PickleImports(PickleImports.safeGlobals(), PickleImports.dangerousGlobals()),
                PickleMachine.Limits.DEFAULTS, findings).run(new PickleInput(ModelSource.of("all", bytes, null), 0), "all");
        assertTrue(o.complete(), () -> "stopped: " + findings);
        assertEquals(List.of(), findings);
        assertAllowed(scan("all.pkl", bytes));
    }

    @Test
    void keepsMemoryBoundedOnHugeOpcodeCounts() throws IOException {
        // Ten million memo entries and appends: the machine's caps hold; nothing grows with them.
        int n = 2_000_000;
        PickleBuilder b = PickleBuilder.proto(4).op(PickleOp.EMPTY_LIST);
        for (int i = 0; i < n / 1000; i++) {
            b.mark();
            for (int j = 0; j < 1000; j++) {
                b.int1(j & 0x7f).op(PickleOp.MEMOIZE);
            }
            b.op(PickleOp.APPENDS);
        }
        byte[] bytes = b.stop().bytes();
        List<Finding> findings = new ArrayList<>();
        PickleMachine.Outcome o = new PickleMachine(new PickleImports(PickleImports.safeGlobals(), PickleImports.dangerousGlobals()),
                new PickleMachine.Limits(1 << 12, 64, 1 << 16, 1 << 16, 64), findings)
                .run(new PickleInput(ModelSource.of("big", bytes, null), 0), "big");
        assertTrue(o.complete(), () -> findings.toString());
        assertTrue(((PyValue.Seq) o.value()).size == n);
        assertTrue(((PyValue.Seq) o.value()).items.size() <= 1 << 16);
    }

    @Test
    void allowsMoreImportsWhenThePolicySaysSo() throws Exception {
        byte[] b = PickleBuilder.proto(2).global("sklearn.tree", "DecisionTreeClassifier").op(PickleOp.EMPTY_TUPLE).reduce().stop().bytes();
        assertBlocked(scan("x", b), PickleMachine.RULE_UNKNOWN, Severity.HIGH);
        assertAllowed(scan(ModelPolicies.parse(Map.of("model.pickle.allow", "sklearn.**")), "x", b));
        // No allow pattern reaches a dangerous global.
        byte[] evil = PickleBuilder.proto(2).call("os", "system", "id").stop().bytes();
        assertBlocked(scan(ModelPolicies.parse(Map.of("model.pickle.allow", "os.**")), "x", evil),
                PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        // The built-in globals and the policy's are joined once per policy, not at every pickle.
        var sklearn = ModelPolicies.parse(Map.of("model.pickle.allow", "sklearn.**"));
        assertSame(sklearn.pickleAllow(), sklearn.pickleAllow());
    }

    @Test
    void wildcardNeverAdmitsDunderPrivateOrDottedNames() throws Exception {
        var sklearn = ModelPolicies.parse(Map.of("model.pickle.allow", "sklearn.**"));
        // The twin: a plain public class under the wildcard loads.
        byte[] twin = PickleBuilder.proto(4).str("sklearn.tree._classes").str("DecisionTreeClassifier")
                .op(PickleOp.STACK_GLOBAL).op(PickleOp.EMPTY_TUPLE).reduce().stop().bytes();
        assertAllowed(scan(sklearn, "x", twin));
        // Protocol 4 walks a dotted name with getattr: through a module's own imports to os.system.
        byte[] viaImport = PickleBuilder.proto(4).str("sklearn.utils").str("os.system")
                .op(PickleOp.STACK_GLOBAL).op(PickleOp.EMPTY_TUPLE).reduce().stop().bytes();
        assertBlocked(scan(sklearn, "x", viaImport), PickleMachine.RULE_UNKNOWN, Severity.HIGH);
        for (String name : new String[] {"__builtins__", "_private_helper", "__import__"}) {
            byte[] b = PickleBuilder.proto(2).global("sklearn.utils", name).op(PickleOp.EMPTY_TUPLE).reduce().stop().bytes();
            assertBlocked(scan(sklearn, "x", b), PickleMachine.RULE_UNKNOWN, Severity.HIGH);
        }
        byte[] dunderModule = PickleBuilder.proto(2).global("sklearn.__builtins__", "eval").op(PickleOp.EMPTY_TUPLE).reduce().stop().bytes();
        assertBlocked(scan(sklearn, "x", dunderModule), PickleMachine.RULE_UNKNOWN, Severity.HIGH);
    }

    @Test
    void builtInAllowlistNamesNumpyDtypesExactly() {
        byte[] twin = PickleBuilder.proto(2).global("numpy.dtypes", "Float32DType").op(PickleOp.EMPTY_TUPLE).reduce().stop().bytes();
        assertAllowed(scan("x", twin));
        for (String name : new String[] {"__builtins__", "_add_dtype_helper", "np"}) {
            byte[] b = PickleBuilder.proto(2).global("numpy.dtypes", name).op(PickleOp.EMPTY_TUPLE).reduce().stop().bytes();
            assertBlocked(scan("x", b), PickleMachine.RULE_UNKNOWN, Severity.HIGH);
        }
        // Every built-in allow entry is exact, and none is a dunder name.
        for (String p : PickleImports.safeGlobals().patterns()) {
            assertTrue(!p.contains("*") && !p.contains("__"), p);
        }
    }

    private static PickleBuilder padded() {
        return PickleBuilder.proto(2).str("padding").op(PickleOp.POP);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
