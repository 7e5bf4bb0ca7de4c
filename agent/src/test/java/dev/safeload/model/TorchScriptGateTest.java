package dev.safeload.model;

import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;
import static dev.safeload.model.Scans.scan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.safeload.model.pickle.PickleBuilder;
import dev.safeload.model.pickle.PickleMachine;
import dev.safeload.model.pickle.PickleOp;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TorchScript archives: detected by torch.load's own rule, and their code judged by the operators it names. */
class TorchScriptGateTest {

    private static final byte[] OWN_CLASS = PickleBuilder.proto(2).global("__torch__.torch.nn.modules.linear", "Linear")
            .op(PickleOp.EMPTY_TUPLE).op(PickleOp.NEWOBJ).op(PickleOp.EMPTY_DICT).op(PickleOp.BUILD).stop().bytes();
    private static final byte[] CONSTANTS = PickleBuilder.proto(2).op(PickleOp.EMPTY_TUPLE).stop().bytes();

    private static byte[] script(String code) {
        return new ZipWriter().stored("archive/data.pkl", OWN_CLASS).stored("archive/constants.pkl", CONSTANTS)
                .stored("archive/code/__torch__/m.py", code.getBytes(StandardCharsets.UTF_8))
                .stored("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII)).bytes();
    }

    private static final String LINEAR = """
            class Linear(Module):
              __parameters__ = ["weight", "bias", ]
              weight : Tensor
              bias : Tensor
              def forward(self: __torch__.torch.nn.modules.linear.Linear, input: Tensor) -> Tensor:
                _0 = ops.prim.unchecked_cast(Tensor, self.weight)
                return torch.relu(torch.linear(input, _0, self.bias))
            """;

    /** _is_torchscript_zip: "constants.pkl" among the records relative to the archive's folder, not anywhere. */
    @Test
    void treatsArchiveAsTorchScriptOnlyWithConstantsAtItsRoot() {
        byte[] nested = new ZipWriter().stored("archive/data.pkl", OWN_CLASS).stored("archive/extra/constants.pkl", CONSTANTS)
                .stored("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII)).bytes();
        ScanResult r = scan("model.pt", nested);
        assertEquals(List.of("pytorch-zip"), r.formats());
        assertBlocked(r, PickleMachine.RULE_UNKNOWN, Severity.HIGH);
        ScanResult twin = scan("script.pt", script(LINEAR));
        assertAllowed(twin);
        assertEquals(List.of("torchscript"), twin.formats());
    }

    @Test
    void refusesTorchScriptCodeThatNamesFileOperators() {
        String[] attacks = {
            "torch.from_file(\"/etc/passwd\", True, 100)",
            "torch . from_file(\"/etc/passwd\", True, 100)",
            "torch.\\\n  from_file(\"/etc/passwd\", True, 100)",
            "ops.aten.from_file(\"/etc/passwd\", True, 100)",
            "torch.save(input, \"/tmp/x\")",
            "ops.evil_ns.run(input)",
            "getattr(torch, \"from_file\")",
        };
        for (String call : attacks) {
            String code = LINEAR + "  def __setstate__(self: __torch__.torch.nn.modules.linear.Linear, state: Tuple[Tensor, Tensor]) -> None:\n"
                    + "    _1 = " + call + "\n    return None\n";
            assertBlocked(scan("script.pt", script(code)), "torchscript.operator", Severity.HIGH);
        }
        // The same names inside strings and comments are not calls.
        String twin = LINEAR + "  def note(self: __torch__.torch.nn.modules.linear.Linear) -> str:\n"
                + "    # torch.from_file is not called here\n    return \"torch.from_file('/etc/passwd')\"\n";
        assertAllowed(scan("script.pt", script(twin)));
    }

    /** Real torch 1.13 archives (make_torchscript_fixtures.py): torch.load of the first creates a file through torch.from_file. */
    @Test
    void refusesRealTorchScriptWhoseSetstateCallsFromFile() throws Exception {
        ModelScanner scanner = new ModelScanner(ModelPolicies.defaults());
        java.nio.file.Path dir = java.nio.file.Path.of(getClass().getResource("/dev/safeload/model/torch/ts_from_file.pt").toURI()).getParent();
        ScanResult evil = scanner.scanFile(dir.resolve("ts_from_file.pt"));
        assertEquals(List.of("torchscript"), evil.formats());
        assertBlocked(evil, "torchscript.operator", Severity.HIGH);
        assertAllowed(scanner.scanFile(dir.resolve("ts_from_file_twin.pt")));
    }

    /** Real torch 1.13 scripts of common layers (benign_scripts/make_benign_scripts.py) name only allowed operators. */
    @Test
    void allowsRealScriptsOfCommonLayers() throws Exception {
        ModelScanner scanner = new ModelScanner(ModelPolicies.defaults());
        java.nio.file.Path dir = java.nio.file.Path.of(getClass().getResource("/dev/safeload/model/torch/benign_scripts/cnn.pt").toURI()).getParent();
        for (String name : new String[] {"cnn", "traced_cnn", "rnn", "transformer", "mha", "norms", "misc", "qdyn"}) {
            ScanResult r = scanner.scanFile(dir.resolve(name + ".pt"));
            assertAllowed(r);
            assertEquals(List.of("torchscript"), r.formats(), name);
        }
    }

    @Test
    void refusesNativeCustomClassesAndImports() {
        assertBlocked(scan("script.pt", script(LINEAR + "  x : __torch__.torch.classes.myns.Evil\n")),
                "torchscript.operator", Severity.HIGH);
        assertBlocked(scan("script.pt", script("import os\n" + LINEAR)), "torchscript.operator", Severity.HIGH);
        byte[] nativeState = PickleBuilder.proto(2).global("__torch__.torch.classes.myns", "Evil")
                .op(PickleOp.EMPTY_TUPLE).op(PickleOp.NEWOBJ).stop().bytes();
        byte[] archive = new ZipWriter().stored("archive/data.pkl", nativeState).stored("archive/constants.pkl", CONSTANTS)
                .stored("archive/code/__torch__/m.py", LINEAR.getBytes(StandardCharsets.UTF_8)).bytes();
        assertBlocked(scan("script.pt", archive), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
    }
}
