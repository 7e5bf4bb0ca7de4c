package dev.safeload.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * H2O MOJOs written the way H2O's {@code ModelMojoWriter} lays them out: an isotonic regression
 * of {@code y} on {@code x} (0 at x=0, 1 at x=10), with a categorical column {@code kind} whose
 * levels come from a domain file.
 */
public final class H2oMojos {

    private H2oMojos() {
    }

    /** The MOJO's entries; {@code domainFile} is the name model.ini gives for column 1's levels. */
    public static Map<String, byte[]> entries(String domainFile) {
        String ini = "[info]\nh2o_version = 3.46.0.7\nmojo_version = 1.00\nlicense = Apache License Version 2.0\n"
                + "algorithm = Isotonic Regression\nendianness = BIG_ENDIAN\ncategory = Regression\n"
                + "uuid = 42\nsupervised = true\nn_features = 2\nn_classes = 1\nn_columns = 3\nn_domains = 1\n"
                + "balance_classes = false\ndefault_threshold = 0.5\nprior_class_distrib = null\n"
                + "model_class_distrib = null\noffset_column = null\ncalib_min_x = 0.0\ncalib_max_x = 10.0\n"
                + "\n[columns]\nx\nkind\ny\n\n[domains]\n1: 2 " + domainFile + "\n";
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("model.ini", ini.getBytes(StandardCharsets.UTF_8));
        entries.put("domains/d000.txt", "red\nblue\n".getBytes(StandardCharsets.UTF_8));
        entries.put("calib/thresholds_x", doubles(0, 10));
        entries.put("calib/thresholds_y", doubles(0, 1));
        return entries;
    }

    /** The MOJO as the zip H2O downloads. */
    public static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /** The MOJO unpacked into {@code dir}, which {@code MojoModel.load} reads with its folder reader. */
    public static Path folder(Path dir, Map<String, byte[]> entries) throws IOException {
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            Path file = dir.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, e.getValue());
        }
        return dir;
    }

    /** A blob as {@code ModelMojoReader.readblobDoubles} reads it: a big-endian count, then the values. */
    private static byte[] doubles(double... values) {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 * values.length);
        b.putInt(values.length);
        for (double v : values) {
            b.putDouble(v);
        }
        return b.array();
    }
}
