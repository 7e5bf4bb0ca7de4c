package dev.safeload.model.keras;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.safeload.model.ContentSniff;
import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ModelSources;
import dev.safeload.model.ScanContext;
import dev.safeload.model.Severity;
import dev.safeload.model.compress.ZipIndex;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Checks Keras 3 {@code .keras} archives: {@code config.json} (and {@code metadata.json}) must
 * not rebuild a {@code Lambda} layer or any object from outside Keras, and every other entry is
 * handed back to the scanner as an artifact of its own.
 */
public final class KerasV3Check implements FormatCheck, ContentSniff {

    /** Keras configs are kilobytes to a few megabytes; a bigger one is a zip bomb or worse. */
    static final long MAX_CONFIG_BYTES = 64L << 20;
    /** Compressed entries up to this size are inflated in memory to be scanned. */
    static final long MAX_INFLATED_ENTRY = 32L << 20;

    public KerasV3Check() {
    }

    @Override
    public String format() {
        return "keras-v3";
    }

    @Override
    public boolean sniff(byte[] head, long size) {
        return KerasZipSniff.looksLikeKerasArchive(head);
    }

    /**
     * Whether {@code source} is a zip with {@code config.json} or {@code metadata.json} at its
     * root, by its central directory: what Python's {@code zipfile} reads, wherever the entries
     * sit. Shaped for the scanner's content sniff, which sees past the first bytes; the head-only
     * {@link #sniff(byte[], long)} misses an archive whose first entry is larger than the head.
     */
    public boolean sniff(ModelSource source, byte[] head) throws IOException {
        if (sniff(head, source.size())) {
            return true;
        }
        if (!KerasZipSniff.mayBeZip(head, source)) {
            return false;
        }
        try (SourceChannel channel = new SourceChannel(source);
             ZipFile zip = open(channel)) {
            for (ZipArchiveEntry entry : Collections.list(zip.getEntries())) {
                if (KerasZipSniff.kerasRole(entry) != null) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false; // not a zip this reader can open; nor a Keras archive Python can load
        }
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        List<Finding> findings = new ArrayList<>();
        String name = source.name();
        // commons-compress reads a central directory that Python's zipfile (what Keras uses) refuses.
        String central = ZipIndex.read(source).centralProblem();
        if (central != null) {
            findings.add(new Finding("keras.zip.malformed", Severity.HIGH, name,
                    "central directory does not read as Python's zipfile reads it: " + central));
        }
        try (SourceChannel channel = new SourceChannel(source);
             ZipFile zip = open(channel)) {
            boolean sawConfig = false;
            for (ZipArchiveEntry entry : Collections.list(zip.getEntries())) {
                String role = KerasZipSniff.kerasRole(entry);
                if ("config.json".equals(role)) {
                    sawConfig = true;
                    config(zip, entry, name + "!/" + role, Severity.HIGH, findings);
                } else if ("metadata.json".equals(role)) {
                    config(zip, entry, name + "!/" + role, Severity.MEDIUM, findings);
                } else if (!entry.isDirectory() && context != null) {
                    nested(source, zip, entry, context, findings);
                }
            }
            if (!sawConfig) {
                findings.add(new Finding("keras.config.missing", Severity.LOW, name,
                        "archive has no config.json; Keras cannot load it as a model"));
            }
        } catch (IOException | RuntimeException e) {
            findings.add(new Finding("keras.zip.malformed", Severity.HIGH, name,
                    "not a readable zip archive, so its config cannot be checked: " + e.getMessage()));
        }
        return findings;
    }

    private static void config(ZipFile zip, ZipArchiveEntry entry, String where, Severity malformed,
                               List<Finding> findings) throws IOException {
        try (InputStream in = new Bounded(zip.getInputStream(entry), MAX_CONFIG_BYTES)) {
            KerasConfig.inspect(in, where, findings);
        } catch (JsonProcessingException e) {
            findings.add(new Finding("keras.config.malformed", malformed, where, "not valid JSON: "
                    + e.getOriginalMessage()));
        } catch (TooLarge e) {
            findings.add(new Finding("keras.config.too-large", Severity.HIGH, where, e.getMessage()));
        }
    }

    private static void nested(ModelSource source, ZipFile zip, ZipArchiveEntry entry, ScanContext context,
                               List<Finding> findings) throws IOException {
        String innerName = source.name() + "!/" + entry.getName();
        if (entry.getMethod() == ZipArchiveEntry.STORED) {
            // Opening the raw stream makes commons-compress resolve the local header, and with it
            // the data offset.
            zip.getRawInputStream(entry).close();
            long offset = entry.getDataOffset();
            if (offset >= 0 && entry.getSize() >= 0 && offset + entry.getSize() <= source.size()) {
                findings.addAll(context.scanNested(slice(source, innerName, offset, entry.getSize())));
                return;
            }
        }
        if (entry.getSize() >= 0 && entry.getSize() <= MAX_INFLATED_ENTRY) {
            InputStream raw;
            try {
                raw = zip.getInputStream(entry);
            } catch (LinkageError e) {
                // A method whose codec commons-compress loads from an optional library the agent
                // does not bundle (zstd-jni): NoClassDefFoundError would escape the scanner.
                findings.add(new Finding("keras.zip.malformed", Severity.HIGH, innerName,
                        "compression method " + entry.getMethod() + " cannot be read here, so the entry is unverified"));
                return;
            }
            try (InputStream in = new Bounded(raw, MAX_INFLATED_ENTRY)) {
                byte[] bytes = in.readAllBytes();
                findings.addAll(context.scanNested(ModelSource.of(innerName, bytes, null)));
            } catch (TooLarge e) {
                findings.add(new Finding("keras.entry.too-large", Severity.HIGH, innerName, e.getMessage()));
            }
            return;
        }
        findings.add(new Finding("keras.entry.unscanned", Severity.LOW, innerName, "compressed entry of "
                + entry.getSize() + " bytes was not inflated for scanning"));
    }

    /** Names as stored, as Python reads them; {@link KerasZipSniff#kerasRole} adds Unicode paths. */
    private static ZipFile open(SourceChannel channel) throws IOException {
        return ZipFile.builder().setSeekableByteChannel(channel).setUseUnicodeExtraFields(false).get();
    }

    /** The stored bytes of one entry, read in place; an archive entry has no folder of its own. */
    private static ModelSource slice(ModelSource outer, String name, long offset, long length) {
        return ModelSources.slice(outer, offset, length, name, null);
    }

    /** Fails once more than {@code limit} bytes come out: zip sizes in headers are claims. */
    private static final class Bounded extends FilterInputStream {
        private final long limit;
        private long count;

        Bounded(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int len) throws IOException {
            int n = super.read(buffer, offset, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws TooLarge {
            count += n;
            if (count > limit) {
                throw new TooLarge("entry inflates past " + limit + " bytes");
            }
        }
    }

    private static final class TooLarge extends IOException {
        TooLarge(String message) {
            super(message);
        }
    }
}
