package dev.safeload.model;

import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;
import static dev.safeload.model.Scans.scan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.config.ConfigException;
import dev.safeload.model.compress.CompressedCheck;
import dev.safeload.model.pickle.PickleBuilder;
import dev.safeload.model.pickle.PickleCheck;
import dev.safeload.model.pickle.PickleMachine;
import dev.safeload.model.pickle.PickleOp;
import dev.safeload.model.torch.TorchLegacyCheck;
import dev.safeload.model.torch.TorchZipCheck;
import io.airlift.compress.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.LZMAOutputStream;
import org.tukaani.xz.XZOutputStream;

class ModelScannerTest {

    static final byte[] BENIGN = PickleBuilder.proto(2).stateDict("w", "b").stop().bytes();
    static final byte[] EVIL = PickleBuilder.proto(2).global("collections", "OrderedDict").op(PickleOp.EMPTY_TUPLE).reduce()
            .mark().str("w").call("posix", "system", "touch /tmp/x").op(PickleOp.SETITEMS).stop().bytes();
    static final byte[] FLOATS = new byte[16];

    static byte[] torchZip(byte[] dataPkl) {
        return new ZipWriter().stored("archive/data.pkl", dataPkl).stored("archive/data/0", FLOATS)
                .stored("archive/data/1", FLOATS).stored("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII)).bytes();
    }

    @Test
    void checksTorchZipDataPickle() {
        ScanResult ok = scan("model.pt", torchZip(BENIGN));
        assertAllowed(ok);
        assertEquals(List.of("pytorch-zip"), ok.formats());
        assertBlocked(scan("model.pt", torchZip(EVIL)), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
    }

    @Test
    void checksPickleInZipEntryWhateverItsName() {
        byte[] zip = new ZipWriter().stored("archive/data.pkl", BENIGN).stored("archive/extra/readme.txt", EVIL)
                .stored("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII)).bytes();
        assertBlocked(scan("model.pt", zip), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        byte[] twin = new ZipWriter().stored("archive/data.pkl", BENIGN).stored("archive/extra/readme.txt", BENIGN).bytes();
        assertAllowed(scan("model.pt", twin));
    }

    @Test
    void checksEntriesThatOnlyLocalHeadersList() {
        byte[] zip = new ZipWriter().stored("archive/data.pkl", BENIGN)
                .entry("archive/hidden.pkl", "archive/hidden.pkl", EVIL, false, 0, false, false)
                .stored("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII)).bytes();
        assertBlocked(scan("model.pt", zip), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        byte[] twin = new ZipWriter().stored("archive/data.pkl", BENIGN)
                .entry("archive/hidden.pkl", "archive/hidden.pkl", BENIGN, false, 0, false, false).bytes();
        assertAllowed(scan("model.pt", twin));
        for (boolean deflate : new boolean[] {false, true}) {
            byte[] streamed = new ZipWriter().stored("archive/data.pkl", BENIGN).streamedLocalOnly("archive/s", BENIGN, deflate)
                    .streamedLocalOnly("archive/t", EVIL, deflate).stored("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII)).bytes();
            assertBlocked(scan("model.pt", streamed), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
            byte[] streamedTwin = new ZipWriter().stored("archive/data.pkl", BENIGN).streamedLocalOnly("archive/s", BENIGN, deflate)
                    .stored("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII)).bytes();
            assertAllowed(scan("model.pt", streamedTwin));
        }
    }

    @Test
    void readsPastBadCrcsAndNameMismatches() {
        byte[] zip = new ZipWriter().entry("archive/data.pkl", "archive/data.pkl", EVIL, false, 0, true, true)
                .entry("archive/x", "archive/data/0", BENIGN, false, 0, true, true).bytes();
        assertBlocked(scan("model.pt", zip), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        byte[] twin = new ZipWriter().entry("archive/data.pkl", "archive/data.pkl", BENIGN, true, 0, true, true).bytes();
        assertAllowed(scan("model.pt", twin));
    }

    @Test
    void checksZipPicklePolyglotAsBoth() {
        byte[] polyglot = new ZipWriter().prefix(BENIGN).stored("archive/data.pkl", EVIL).bytes();
        ScanResult r = scan("model.bin", polyglot);
        assertTrue(r.formats().containsAll(List.of("pickle", "pytorch-zip")), r.formats()::toString);
        assertBlocked(r, PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        assertBlocked(r, PickleCheck.RULE_TRAILING, Severity.HIGH);
        assertAllowed(scan("model.bin", torchZip(BENIGN)));
    }

    @Test
    void blocksEncryptedZipEntries() {
        byte[] zip = new ZipWriter().entry("archive/data.pkl", "archive/data.pkl", BENIGN, false, 1, false, true).bytes();
        assertBlocked(scan("model.pt", zip), TorchZipCheck.RULE_ENTRY, Severity.HIGH);
        byte[] generic = new ZipWriter().entry("secret.bin", "secret.bin", BENIGN, false, 1, false, true).bytes();
        assertBlocked(scan("archive.zip", generic), ModelScanner.RULE_UNKNOWN_FORMAT, Severity.HIGH);
    }

    @Test
    void checksTorchScriptArchivesWithTheirOwnClasses() {
        byte[] data = PickleBuilder.proto(2).global("__torch__.torch.nn.modules.linear", "Linear")
                .op(PickleOp.EMPTY_TUPLE).op(PickleOp.NEWOBJ).op(PickleOp.EMPTY_DICT).op(PickleOp.BUILD).stop().bytes();
        byte[] ts = new ZipWriter().stored("archive/data.pkl", data)
                .stored("archive/constants.pkl", PickleBuilder.proto(2).op(PickleOp.EMPTY_TUPLE).stop().bytes())
                .stored("archive/code/__torch__/m.py", "def forward(self):\n  return 1\n".getBytes(StandardCharsets.UTF_8)).bytes();
        ScanResult r = scan("script.pt", ts);
        assertAllowed(r);
        assertEquals(List.of("torchscript"), r.formats());
        // The same class outside a TorchScript archive is an unknown import.
        assertBlocked(scan("model.pt", torchZip(data)), PickleMachine.RULE_UNKNOWN, Severity.HIGH);
    }

    static byte[] legacy(byte[] main, byte[] tail) {
        byte[] magic = PickleBuilder.proto(2).op(PickleOp.LONG1).u8(10)
                .raw(new byte[] {0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19}).stop().bytes();
        byte[] version = PickleBuilder.proto(2).op(PickleOp.BININT2).le(1001, 2).stop().bytes();
        byte[] sys = PickleBuilder.proto(2).op(PickleOp.EMPTY_DICT).stop().bytes();
        byte[] keys = PickleBuilder.proto(2).op(PickleOp.EMPTY_LIST).mark().str("0").str("1").op(PickleOp.APPENDS).stop().bytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(magic);
        out.writeBytes(version);
        out.writeBytes(sys);
        out.writeBytes(main);
        out.writeBytes(keys);
        for (int i = 0; i < 2; i++) {
            out.writeBytes(new byte[] {4, 0, 0, 0, 0, 0, 0, 0});
            out.writeBytes(FLOATS);
        }
        out.writeBytes(tail);
        return out.toByteArray();
    }

    @Test
    void walksLegacyTorchSaveEveryPickleAndStorage() {
        ScanResult ok = scan("old.pt", legacy(BENIGN, new byte[0]));
        assertAllowed(ok);
        assertEquals(List.of("pytorch-legacy"), ok.formats());
        assertBlocked(scan("old.pt", legacy(EVIL, new byte[0])), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        byte[] hidden = PickleBuilder.proto(2).call("os", "system", "id").stop().bytes();
        ScanResult r = scan("old.pt", legacy(BENIGN, hidden));
        assertBlocked(r, TorchLegacyCheck.RULE_LAYOUT, Severity.HIGH);
        assertBlocked(r, PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
    }

    /** The pre-0.4 torch.save tar: sys_info, pickle, storages (count, records with raw data, views), tensors. */
    static byte[] legacyTar(byte[] main, byte[] afterStorages) throws IOException {
        ByteArrayOutputStream storages = new ByteArrayOutputStream();
        storages.writeBytes(PickleBuilder.proto(2).int1(1).stop().bytes());
        storages.writeBytes(PickleBuilder.proto(2).str("0").str("cpu").global("torch", "FloatStorage").op(PickleOp.TUPLE3).stop().bytes());
        storages.writeBytes(new byte[] {4, 0, 0, 0, 0, 0, 0, 0});
        storages.writeBytes(FLOATS);
        storages.writeBytes(PickleBuilder.proto(2).op(PickleOp.EMPTY_LIST).stop().bytes());
        storages.writeBytes(afterStorages);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            Map<String, byte[]> members = new java.util.LinkedHashMap<>();
            members.put("sys_info", PickleBuilder.proto(2).op(PickleOp.EMPTY_DICT).stop().bytes());
            members.put("pickle", main);
            members.put("storages", storages.toByteArray());
            members.put("tensors", PickleBuilder.proto(2).int1(0).stop().bytes());
            for (Map.Entry<String, byte[]> m : members.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(m.getKey());
                e.setSize(m.getValue().length);
                tar.putArchiveEntry(e);
                tar.write(m.getValue());
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    @Test
    void walksTheLegacyTarFormat() throws IOException {
        byte[] main = PickleBuilder.proto(2).global("collections", "OrderedDict").op(PickleOp.EMPTY_TUPLE).reduce().stop().bytes();
        ScanResult ok = scan("ancient.pt", legacyTar(main, new byte[0]));
        assertAllowed(ok);
        assertEquals(List.of("pytorch-legacy"), ok.formats());
        assertBlocked(scan("ancient.pt", legacyTar(EVIL, new byte[0])), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        byte[] hidden = PickleBuilder.proto(2).call("os", "system", "id").stop().bytes();
        ScanResult r = scan("ancient.pt", legacyTar(main, hidden));
        assertBlocked(r, PickleCheck.RULE_TRAILING, Severity.HIGH);
        assertBlocked(r, PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
    }

    static byte[] npy(String descr, String shape, byte[] data) {
        String literal = descr.startsWith("[") ? descr : "'" + descr + "'";
        String dict = "{'descr': " + literal + ", 'fortran_order': False, 'shape': " + shape + ", }";
        StringBuilder header = new StringBuilder(dict);
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.write(header.length() & 0xff);
        out.write(header.length() >> 8);
        out.writeBytes(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(data);
        return out.toByteArray();
    }

    @Test
    void checksThePickleOfObjectDtypeNpy() {
        byte[] objects = PickleBuilder.proto(3).global("numpy.core.multiarray", "_reconstruct").global("numpy", "ndarray")
                .int1(0).op(PickleOp.TUPLE1).op(PickleOp.SHORT_BINBYTES).u8(1).text("b").op(PickleOp.TUPLE3).reduce()
                .mark().int1(1).int1(1).op(PickleOp.TUPLE1).global("numpy", "dtype").str("O8").op(PickleOp.NEWFALSE)
                .op(PickleOp.NEWTRUE).op(PickleOp.TUPLE3).reduce().op(PickleOp.NEWFALSE).op(PickleOp.EMPTY_LIST)
                .int1(5).op(PickleOp.APPEND).tuple().op(PickleOp.BUILD).stop().bytes();
        ScanResult ok = scan("a.npy", npy("|O", "(1,)", objects));
        assertAllowed(ok);
        assertEquals(List.of("numpy-object"), ok.formats());
        assertBlocked(scan("a.npy", npy("|O", "(1,)", EVIL)), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        assertBlocked(scan("a.npy", npy("[('x', '<f4'), ('y', '|O')]", "(1,)", EVIL)), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        ScanResult numeric = scan("w.npy", npy("<f4", "(2, 2)", FLOATS));
        assertAllowed(numeric);
        assertEquals(List.of("numpy"), numeric.formats());
        assertBlocked(scan("w.npy", npy("<f4", "(2, 2)", PickleMachineTestAccess.concat(FLOATS, EVIL))), "numpy.layout", Severity.HIGH);
    }

    @Test
    void checksEveryNpyOfAnNpz() {
        byte[] ok = new ZipWriter().stored("a.npy", npy("<f4", "(4,)", FLOATS)).deflated("b.npy", npy("<f4", "(2, 2)", FLOATS)).bytes();
        assertAllowed(scan("w.npz", ok));
        byte[] bad = new ZipWriter().stored("a.npy", npy("<f4", "(4,)", FLOATS)).deflated("b.npy", npy("|O", "(1,)", EVIL)).bytes();
        assertBlocked(scan("w.npz", bad), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
    }

    interface Compressor {
        OutputStream wrap(OutputStream out) throws IOException;
    }

    static byte[] compress(Compressor c, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = c.wrap(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    static final Map<String, Compressor> COMPRESSORS = Map.of(
            "gzip", GZIPOutputStream::new,
            "bz2", BZip2CompressorOutputStream::new,
            "xz", out -> new XZOutputStream(out, new LZMA2Options()),
            "lzma", out -> new LZMAOutputStream(out, new LZMA2Options(), -1),
            "zlib", DeflaterOutputStream::new,
            "lz4", FramedLZ4CompressorOutputStream::new,
            "zstd", ZstdOutputStream::new,
            "joblib-zfile", out -> {
                out.write(("ZF" + String.format("%-19s", "0x" + Integer.toHexString(BENIGN.length))).getBytes(StandardCharsets.US_ASCII));
                return new DeflaterOutputStream(out);
            });

    @Test
    void decompressesEachCompressionAndChecksTheContent() throws IOException {
        for (Map.Entry<String, Compressor> c : COMPRESSORS.entrySet()) {
            ScanResult ok = scan("model.joblib", compress(c.getValue(), BENIGN));
            assertAllowed(ok);
            assertEquals(List.of(c.getKey()), ok.formats(), c.getKey());
            assertBlocked(scan("model.joblib", compress(c.getValue(), EVIL)), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        }
    }

    /**
     * A sniff that gives up cannot say the file is not its format: the file is unverified, even
     * when another check claims it and finds nothing (its loader may read it as the first format).
     */
    @Test
    void refusesAFileWhoseSniffFails() throws IOException {
        FormatCheck passing = new FormatCheck() {
            @Override
            public String format() {
                return "safetensors";
            }

            @Override
            public boolean sniff(byte[] head, long size) {
                return true;
            }

            @Override
            public List<Finding> check(ModelSource source, ScanContext context) {
                return List.of();
            }
        };
        class Tripping implements FormatCheck, ContentSniff {
            private final boolean trips;

            Tripping(boolean trips) {
                this.trips = trips;
            }

            @Override
            public String format() {
                return "numpy-npz";
            }

            @Override
            public boolean sniff(byte[] head, long size) {
                return false;
            }

            @Override
            public boolean sniff(ModelSource source, byte[] head) throws IOException {
                if (trips) {
                    throw new IOException("central directory runs past the end of the file");
                }
                return false;
            }

            @Override
            public List<Finding> check(ModelSource source, ScanContext context) {
                return List.of();
            }
        }
        ScanLimits limits = new ScanLimits(ScanLimits.DEFAULT_MAX_DEPTH, ScanLimits.DEFAULT_MAX_EXPANDED_BYTES,
                ScanLimits.DEFAULT_MAX_ENTRIES);
        ModelSource file = ModelSource.of("model.safetensors", BENIGN, null);
        // The twin: the same file with a sniff that answers is allowed, claimed by the other check.
        assertAllowed(new ModelScanner(ModelPolicies.defaults(), List.of(passing, new Tripping(false)), limits).scan(file));
        ScanResult result = new ModelScanner(ModelPolicies.defaults(), List.of(passing, new Tripping(true)), limits).scan(file);
        assertBlocked(result, ModelScanner.RULE_CHECK_ERROR, Severity.HIGH);
        assertTrue(result.findings().get(0).message().contains("numpy-npz")
                && result.findings().get(0).message().contains("central directory"), result.toString());
        // Alone, a failed sniff is that finding, not "unknown format".
        ScanResult alone = new ModelScanner(ModelPolicies.defaults(), List.of(new Tripping(true)), limits).scan(file);
        assertEquals(List.of(ModelScanner.RULE_CHECK_ERROR), alone.findings().stream().map(Finding::rule).toList(), alone.toString());
    }

    /** A library the check reaches lazily and the agent does not bundle: unverified, refused, never the error itself. */
    @Test
    void refusesAFileWhoseCheckHitsAMissingLibrary() throws IOException {
        FormatCheck missingCodec = new FormatCheck() {
            @Override
            public String format() {
                return "pickle";
            }

            @Override
            public boolean sniff(byte[] head, long size) {
                return true;
            }

            @Override
            public List<Finding> check(ModelSource source, ScanContext context) {
                throw new NoClassDefFoundError("com/github/luben/zstd/ZstdInputStream");
            }
        };
        ModelScanner scanner = new ModelScanner(ModelPolicies.defaults(), List.of(missingCodec),
                new ScanLimits(ScanLimits.DEFAULT_MAX_DEPTH, ScanLimits.DEFAULT_MAX_EXPANDED_BYTES, ScanLimits.DEFAULT_MAX_ENTRIES));
        ScanResult result = scanner.scan(ModelSource.of("model.pkl", BENIGN, null));
        assertBlocked(result, ModelScanner.RULE_CHECK_ERROR, Severity.HIGH);
        assertTrue(result.findings().get(0).message().contains("ZstdInputStream"), result.toString());
    }

    @Test
    void stopsDecompressionBombsAndDeepNesting() throws IOException {
        byte[] zeros = compress(GZIPOutputStream::new, new byte[8 << 20]);
        ModelScanner small = new ModelScanner(ModelPolicies.defaults(), FormatChecks.all(), new ScanLimits(8, 1 << 20, 100));
        assertBlocked(small.scan(ModelSource.of("bomb.gz", zeros, null)), ModelScanner.RULE_EXPANSION, Severity.HIGH);
        byte[] nested = BENIGN;
        for (int i = 0; i < 12; i++) {
            nested = compress(GZIPOutputStream::new, nested);
        }
        assertBlocked(scan("deep.gz", nested), ModelScanner.RULE_NESTING, Severity.HIGH);
        assertBlocked(scan("corrupt.gz", new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3}), CompressedCheck.RULE_CORRUPT, Severity.HIGH);
    }

    @Test
    void judgesByContentNotByName() {
        assertBlocked(scan("model.safetensors", EVIL), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        assertEquals(List.of("pickle"), scan("weights.npy", BENIGN).formats());
        assertAllowed(scan("README.md", BENIGN));
    }

    @Test
    void doesNotTakeASafetensorsHeaderLengthForAPickle() {
        byte[] header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}".getBytes(StandardCharsets.US_ASCII);
        byte[] file = new byte[8 + 0x280 + 4];
        file[0] = (byte) 0x80;
        file[1] = 0x02;
        System.arraycopy(header, 0, file, 8, header.length);
        java.util.Arrays.fill(file, 8 + header.length, 8 + 0x280, (byte) ' ');
        // Claimed as the safetensors file it is, never as a pickle.
        assertEquals(java.util.List.of("safetensors"), scan("model.safetensors", file).formats());
    }

    @Test
    void blocksUnknownAndUnverifiableContent() {
        byte[] random = new byte[4096];
        new Random(42).nextBytes(random);
        random[0] = 0x42;
        assertBlocked(scan("weights.bin", random), ModelScanner.RULE_UNKNOWN_FORMAT, Severity.HIGH);
        assertBlocked(scan("empty.pt", new byte[0]), ModelScanner.RULE_UNKNOWN_FORMAT, Severity.HIGH);
        assertBlocked(scan("m.7z", new byte[] {0x37, 0x7a, (byte) 0xbc, (byte) 0xaf, 0x27, 0x1c, 0, 4}),
                ModelScanner.RULE_UNKNOWN_FORMAT, Severity.HIGH);
    }

    @Test
    void blocksFormatsOutsideAllowFormats() throws ConfigException {
        ModelPolicy onlySafetensors = ModelPolicies.parse(Map.of("model.allowFormats", "safetensors"));
        assertBlocked(scan(onlySafetensors, "x.pkl", BENIGN), ModelScanner.RULE_FORMAT_DENIED, Severity.HIGH);
    }

    @Test
    void scansFolderWithoutFollowingLinksOut(@TempDir Path dir, @TempDir Path outside) throws IOException {
        Files.write(dir.resolve("a.pt"), torchZip(BENIGN));
        Files.createDirectories(dir.resolve("sub"));
        Files.write(dir.resolve("sub/b.bin"), EVIL);
        Files.write(outside.resolve("secret.pkl"), BENIGN);
        Files.createSymbolicLink(dir.resolve("link.pkl"), outside.resolve("secret.pkl"));
        List<ScanResult> results = new ModelScanner(ModelPolicies.defaults()).scan(dir);
        assertEquals(3, results.size());
        assertAllowed(results.get(0));
        assertBlocked(results.get(1), ModelScanner.RULE_SYMLINK, Severity.HIGH);
        assertBlocked(results.get(2), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        assertEquals(64, results.get(0).sha256().length());
    }

    @Test
    void skipsTrustedFoldersAndPinnedDigests(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("evil.pkl");
        Files.write(file, EVIL);
        ScanResult blocked = new ModelScanner(ModelPolicies.defaults()).scanFile(file);
        assertBlocked(blocked, PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        ModelPolicy pinned = ModelPolicies.parse(Map.of("model.sha256", "sha256:" + blocked.sha256()));
        assertAllowed(new ModelScanner(pinned).scanFile(file));
        ModelPolicy trusted = ModelPolicies.parse(Map.of("model.trustedDirs", dir.toString()));
        ScanResult r = new ModelScanner(trusted).scanFile(file);
        assertAllowed(r);
        assertNull(r.sha256());
    }

    @Test
    void policyErrorsNameTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> ModelPolicies.parse(Map.of("model.alowFormats", "pickle")));
        assertTrue(e.getMessage().contains("model.alowFormats"));
        e = assertThrows(ConfigException.class, () -> ModelPolicies.parse(Map.of("model.sha256", "abc")));
        assertTrue(e.getMessage().startsWith("model.sha256"));
        e = assertThrows(ConfigException.class, () -> ModelPolicies.parse(Map.of("model.pickle.allow", "a.*b")));
        assertTrue(e.getMessage().startsWith("model.pickle.allow"));
        assertEquals(ModelPolicies.defaults().allowFormats(), assertDoesNotThrow(Map.of("serial.allow", "x.Y")).allowFormats());
    }

    private static ModelPolicy assertDoesNotThrow(Map<String, String> settings) {
        try {
            return ModelPolicies.parse(settings);
        } catch (ConfigException e) {
            throw new AssertionError(e);
        }
    }

    /** Access to the test helper of the pickle package. */
    static final class PickleMachineTestAccess {
        static byte[] concat(byte[] a, byte[] b) {
            byte[] out = new byte[a.length + b.length];
            System.arraycopy(a, 0, out, 0, a.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }
    }
}
