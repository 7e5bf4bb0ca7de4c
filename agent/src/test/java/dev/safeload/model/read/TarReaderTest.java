package dev.safeload.model.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.model.ModelSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tar reader reads headers, and names members, as Python's tarfile does for torch.load. */
class TarReaderTest {

    private static ModelSource fixture(String name) throws IOException {
        try (InputStream in = TarReaderTest.class.getResourceAsStream("/dev/safeload/model/torch/legacy-tar/" + name)) {
            return ModelSource.of(name, in.readAllBytes(), null);
        }
    }

    /** The extended header after the storages and tensors members of a make_tar_extended_fixtures.py file. */
    private static TarReader.Extended thirdHeaderRead(ModelSource source) throws IOException {
        TarReader tar = new TarReader(source);
        for (int i = 0; i < 2; i++) {
            TarReader.Header member = tar.next();
            assertTrue(member.checksumMatches());
            tar.skipData(member.size());
        }
        TarReader.Header extended = tar.next();
        return tar.extended(extended, extended.size());
    }

    /** make_tar_extended_fixtures.py --prove: tarfile names the member "pickle" in both (3.11.2, 3.11.7). */
    @ParameterizedTest
    @ValueSource(strings = {"pickle_gnu_longname_ends_in_padding.pt", "pickle_pax_record_in_padding.pt"})
    void readsAnExtendedHeaderOverItsPaddingAsTarfileDoes(String file) throws IOException {
        TarReader.Extended read = thirdHeaderRead(fixture(file));
        assertNull(read.problem());
        assertEquals("pickle", read.path());
    }

    @Test
    void refusesPaxRecordsThatTarfileVersionsFrameDifferently() throws IOException {
        // No newline where the length ends (3.12.6+ refuse, earlier read on); junk after the
        // records (earlier versions stop, later ones refuse); a size that is not plain digits.
        String[][] cases = {{"16 path=pickleX", "not framed"}, {"15 path=pickle\nzz", "does not start with its length"},
            {"11 size=-1\n", "not a plain decimal"}};
        for (String[] c : cases) {
            String records = c[0];
            ByteArrayOutputStream tar = new ByteArrayOutputStream();
            byte[] data = records.getBytes(StandardCharsets.US_ASCII);
            tar.writeBytes(header("././@PaxHeader", data.length, 'x'));
            tar.writeBytes(data);
            tar.writeBytes(new byte[1024 + 512 - data.length]);
            TarReader reader = new TarReader(ModelSource.of("t.tar", tar.toByteArray(), null));
            TarReader.Header h = reader.next();
            assertTrue(h.checksumMatches());
            String problem = reader.extended(h, h.size()).problem();
            assertNotNull(problem, records);
            assertTrue(problem.contains(c[1]), problem);
        }
    }

    private static byte[] header(String name, long size, char type) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 124, String.format("%011o", size));
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        return h;
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }
}
