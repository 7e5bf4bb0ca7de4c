package dev.safeload.model.keras;

import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;
import static dev.safeload.model.Scans.scan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.safeload.model.Severity;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HDF5 weights whose bytes come from outside the file. The fixtures come from h5py
 * ({@code h5-external/make_fixtures.py}), which proved at generation time that each attack's
 * kernel reads the outside file; {@code inline.h5} is the same model with the kernel inside.
 */
class KerasH5ExternalStorageTest {

    private static final String CONFIG_3 = "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\":"
            + " {\"name\": \"sequential\", \"layers\": [{\"module\": \"keras.layers\", \"class_name\": \"Dense\","
            + " \"config\": {\"name\": \"dense\", \"units\": 2}, \"registered_name\": null}]},"
            + " \"registered_name\": null}";

    @TempDir
    Path temp;

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = KerasH5ExternalStorageTest.class.getResourceAsStream("h5-external/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void readsTheInlineTwinsKernelAndAllowsIt() throws IOException {
        Path file = temp.resolve("inline.h5");
        Files.write(file, fixture("inline.h5"));
        try (HdfFile hdf = new HdfFile(file)) {
            Dataset kernel = hdf.getDatasetByPath("model_weights/dense/dense/kernel:0");
            int[][] data = (int[][]) kernel.getData();
            assertArrayEquals(new int[] {0, 1, 2, 3}, data[0]);
        }
        assertAllowed(scan("inline.h5", fixture("inline.h5")));
    }

    @Test
    void refusesDatasetStoredInExternalFiles() throws IOException {
        assertBlocked(scan("external-file.h5", fixture("external-file.h5")), "keras.h5.external-file",
                Severity.CRITICAL);
    }

    @Test
    void refusesExternalLinkToAnotherHdf5File() throws IOException {
        assertBlocked(scan("external-link.h5", fixture("external-link.h5")), "keras.h5.external-link",
                Severity.CRITICAL);
    }

    @Test
    void refusesVirtualDatasetMappingAnotherFile() throws IOException {
        assertBlocked(scan("virtual.h5", fixture("virtual.h5")), "keras.h5.virtual-dataset", Severity.CRITICAL);
    }

    @Test
    void refusesExternalStorageInTheWeightsOfAKerasArchive() throws IOException {
        assertAllowed(scan("inline.keras", keras(fixture("inline.h5"))));
        assertBlocked(scan("external-file.keras", keras(fixture("external-file.h5"))), "keras.h5.external-file",
                Severity.CRITICAL);
        assertBlocked(scan("external-link.keras", keras(fixture("external-link.h5"))), "keras.h5.external-link",
                Severity.CRITICAL);
        assertBlocked(scan("virtual.keras", keras(fixture("virtual.h5"))), "keras.h5.virtual-dataset",
                Severity.CRITICAL);
    }

    /** A .keras archive as Keras 3 writes it, with {@code weights} as its model.weights.h5. */
    private static byte[] keras(byte[] weights) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("metadata.json"));
            zip.write("{\"keras_version\": \"3.6.0\", \"date_saved\": \"2024-10-01@12:00:00\"}"
                    .getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("config.json"));
            zip.write(CONFIG_3.getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("model.weights.h5"));
            zip.write(weights);
        }
        return bytes.toByteArray();
    }
}
