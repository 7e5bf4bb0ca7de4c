package dev.safeload.model;

import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;
import static dev.safeload.model.Scans.scan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.model.compress.ZipIndex;
import dev.safeload.model.h2o.H2oMojoCheck;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** H2O MOJOs: zips (and folders) with a model.ini, read as h2o-genmodel's two zip readers read them. */
class H2oMojoCheckTest {

    /** An isotonic-regression MOJO with one categorical column, as h2o-genmodel 3.46 reads it. */
    static String ini(String algorithm, String domainFile) {
        return "[info]\nh2o_version = 3.46.0.7\nmojo_version = 1.00\nlicense = Apache License Version 2.0\n"
                + "algorithm = " + algorithm + "\nendianness = BIG_ENDIAN\ncategory = Regression\n"
                + "uuid = 42\nsupervised = true\nn_features = 1\nn_classes = 1\nn_columns = 3\nn_domains = 1\n"
                + "balance_classes = false\ndefault_threshold = 0.5\nprior_class_distrib = null\n"
                + "model_class_distrib = null\noffset_column = null\ncalib_min_x = 0.0\ncalib_max_x = 10.0\n"
                + "\n[columns]\nx\nkind\ny\n\n[domains]\n1: 2 " + domainFile + "\n";
    }

    static byte[] doubles(double... values) {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 * values.length);
        b.putInt(values.length);
        for (double v : values) {
            b.putDouble(v);
        }
        return b.array();
    }

    private static ZipWriter mojo(String ini) {
        return new ZipWriter()
                .deflated("model.ini", ini.getBytes(StandardCharsets.UTF_8))
                .deflated("domains/d000.txt", "a\nb\n".getBytes(StandardCharsets.UTF_8))
                .stored("calib/thresholds_x", doubles(0, 10))
                .stored("calib/thresholds_y", doubles(0, 1));
    }

    @Test
    void allowsMojoWithBuiltInAlgorithmAndItsOwnDomainFiles() {
        ScanResult r = scan("model.zip", mojo(ini("Isotonic Regression", "d000.txt")).bytes());
        assertAllowed(r);
        assertEquals(List.of("h2o-mojo"), r.formats());
    }

    @Test
    void refusesAlgorithmResolvedThroughServiceLoader() {
        assertBlocked(scan("model.zip", mojo(ini("XGBoost", "d000.txt")).bytes()), "h2o.mojo.algorithm", Severity.HIGH);
        assertBlocked(scan("model.zip", mojo(ini("com.evil.Reader", "d000.txt")).bytes()), "h2o.mojo.algorithm",
                Severity.HIGH);
    }

    @Test
    void refusesDomainFileOutsideTheMojo() {
        assertBlocked(scan("model.zip", mojo(ini("Isotonic Regression", "../../../etc/passwd")).bytes()),
                "h2o.mojo.path.escape", Severity.CRITICAL);
        assertBlocked(scan("model.zip", mojo(ini("Isotonic Regression", "d001.txt")).bytes()),
                "h2o.mojo.domain.missing", Severity.HIGH);
    }

    @Test
    void refusesNestedModelFolderThatLeavesTheMojo() {
        String ini = ini("StackedEnsemble", "d000.txt").replace("[columns]", "submodel_count = 1\n"
                + "submodel_key_0 = gbm\nsubmodel_dir_0 = models/../../gbm/\n[columns]");
        assertBlocked(scan("model.zip", mojo(ini).bytes()), "h2o.mojo.path.escape", Severity.CRITICAL);
    }

    @Test
    void judgesEveryNestedModelIni() {
        byte[] zip = mojo(ini("StackedEnsemble", "d000.txt"))
                .deflated("models/gbm/model.ini", ini("XGBoost", "d000.txt").getBytes(StandardCharsets.UTF_8))
                .bytes();
        assertBlocked(scan("model.zip", zip), "h2o.mojo.algorithm", Severity.HIGH);
    }

    @Test
    void refusesModelIniTheStreamingReaderSeesDifferently() {
        // ZipInputStream (createReaderBackend(InputStream)) keeps the last model.ini; ZipFile the listed one.
        byte[] hidden = mojo(ini("Isotonic Regression", "d000.txt"))
                .entry("model.ini", "model.ini", ini("XGBoost", "d000.txt").getBytes(StandardCharsets.UTF_8),
                        true, 0, false, false)
                .bytes();
        assertBlocked(scan("model.zip", hidden), "h2o.mojo.zip.divergent", Severity.HIGH);
        byte[] twice = mojo(ini("Isotonic Regression", "d000.txt"))
                .deflated("model.ini", ini("XGBoost", "d000.txt").getBytes(StandardCharsets.UTF_8)).bytes();
        assertBlocked(scan("model.zip", twice), ZipIndex.RULE_AMBIGUOUS, Severity.HIGH);
    }

    @Test
    void refusesModelIniTheReaderCannotParse() {
        String broken = ini("Isotonic Regression", "d000.txt").replace("n_classes = 1", "n_classes");
        assertBlocked(scan("model.zip", mojo(broken).bytes()), "h2o.mojo.ini.malformed", Severity.HIGH);
    }

    @Test
    void refusesMojoFolderWhoseDomainFileIsASymbolicLinkOrEscapes() throws Exception {
        Path dir = Files.createTempDirectory("mojo-");
        Files.writeString(dir.resolve("model.ini"), ini("Isotonic Regression", "d000.txt"));
        Files.createDirectories(dir.resolve("domains"));
        Files.writeString(dir.resolve("domains/d000.txt"), "a\nb\n");
        assertTrue(H2oMojoCheck.isMojoFolder(dir));
        List<Finding> clean = H2oMojoCheck.checkFolder(dir);
        assertTrue(clean.isEmpty(), clean::toString);

        Files.delete(dir.resolve("domains/d000.txt"));
        Path secret = Files.writeString(Files.createTempFile("secret", ".txt"), "s1\ns2\n");
        Files.createSymbolicLink(dir.resolve("domains/d000.txt"), secret);
        assertTrue(H2oMojoCheck.checkFolder(dir).stream().anyMatch(f -> f.rule().equals("h2o.mojo.path.escape")));

        Files.writeString(dir.resolve("model.ini"), ini("Isotonic Regression", "../../" + secret.getFileName()));
        assertTrue(H2oMojoCheck.checkFolder(dir).stream().anyMatch(f -> f.rule().equals("h2o.mojo.path.escape")
                && f.severity() == Severity.CRITICAL));
    }
}
