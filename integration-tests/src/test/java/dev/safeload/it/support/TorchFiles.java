package dev.safeload.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** A {@code torch.save}-shaped zip whose data.pkl calls {@code posix.system} when unpickled. */
public final class TorchFiles {

    private TorchFiles() {
    }

    public static byte[] maliciousCheckpoint() throws IOException {
        ByteArrayOutputStream pickle = new ByteArrayOutputStream();
        pickle.write(new byte[] {(byte) 0x80, 2}); // PROTO 2
        pickle.write("cposix\nsystem\n".getBytes(StandardCharsets.US_ASCII)); // GLOBAL
        byte[] command = "touch /tmp/safeload-never".getBytes(StandardCharsets.US_ASCII);
        pickle.write('X'); // BINUNICODE
        pickle.write(new byte[] {(byte) command.length, 0, 0, 0});
        pickle.write(command);
        pickle.write(new byte[] {(byte) 0x85, 'R', '.'}); // TUPLE1 REDUCE STOP
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            out.putNextEntry(new ZipEntry("model/data.pkl"));
            out.write(pickle.toByteArray());
            out.closeEntry();
            out.putNextEntry(new ZipEntry("model/version"));
            out.write("3\n".getBytes(StandardCharsets.US_ASCII));
            out.closeEntry();
        }
        return zip.toByteArray();
    }
}
