package dev.safeload.model;

import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;
import static dev.safeload.model.Scans.scan;

import dev.safeload.model.compress.ZipIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@code .keras} archives that Python's zipfile (which Keras's saving_lib opens them with) reads
 * differently from another zip reader, each with a twin read alike. Run with
 * {@code -Dsafeload.dumpFixtures=DIR}, then {@code agent/src/test/python/keras_zip_views.py DIR}
 * opens each dump as {@code keras.saving.load_model} does ({@code ZipFile(path).open("config.json")});
 * what CPython 3.11.7's zipfile read is noted on each test.
 */
class KerasZipReadersTest {

    static final byte[] METADATA = json("{\"keras_version\": \"3.6.0\", \"date_saved\": \"2026-12-01@10:00:00\"}");
    static final byte[] BENIGN = json("{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"s\","
            + " \"layers\": [{\"module\": \"keras.layers\", \"class_name\": \"Dense\", \"config\": {\"name\": \"d\","
            + " \"units\": 1}, \"registered_name\": null}]}, \"registered_name\": null}");
    static final byte[] EVIL = json("{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"s\","
            + " \"layers\": [{\"module\": \"keras.layers\", \"class_name\": \"Lambda\", \"config\": {\"name\": \"l\","
            + " \"function\": {\"class_name\": \"__lambda__\", \"config\": {\"code\": \"YwAA\"}}},"
            + " \"registered_name\": null}]}, \"registered_name\": null}");

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] dump(String name, byte[] bytes) {
        String dir = System.getProperty("safeload.dumpFixtures");
        if (dir != null) {
            try {
                Files.createDirectories(Path.of(dir));
                Files.write(Path.of(dir, name), bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return bytes;
    }

    private static ZipWriter keras(byte[] config) {
        return new ZipWriter().stored("metadata.json", METADATA).stored("config.json", config);
    }

    /**
     * The first end record's comment covers a second archive whose config is a Lambda: zipfile
     * reads the last record (verified: config.json is the Lambda one); a reader that wants a
     * fitting comment reads the first, benign one.
     */
    @Test
    void refusesKerasArchiveWhoseSecondEndRecordHidesAnotherConfig() {
        ZipWriter w = keras(BENIGN).centralDirectory();
        byte[] evilEntries = keras(EVIL).written();
        int directory = 2 * 46 + "metadata.json".length() + "config.json".length();
        w.endRecord(evilEntries.length + directory + 22);
        int evilAt = w.size();
        byte[] evil = new ZipWriter().prefix(new byte[evilAt]).stored("metadata.json", METADATA).stored("config.json", EVIL)
                .centralDirectory().endRecord(0).written();
        byte[] attack = concat(w.written(), Arrays.copyOfRange(evil, evilAt, evil.length));
        ScanResult r = scan("model.keras", dump("second-end-record.keras", attack));
        assertBlocked(r, ZipIndex.RULE_AMBIGUOUS, Severity.HIGH);
        assertBlocked(r, "keras.lambda", Severity.CRITICAL);
        assertAllowed(scan("model.keras", dump("twin-plain.keras", keras(BENIGN).bytes())));
    }

    /**
     * The same trick on a real-layout archive (the adapted StringLookup fixture Python's zipfile
     * wrote): its end record's comment is stretched over an appended archive whose config is a
     * Lambda, which zipfile then reads (verified); the untouched fixture passes.
     */
    @Test
    void refusesWrittenKerasArchiveWithAnAppendedEndRecord() throws Exception {
        byte[] real;
        try (java.io.InputStream in = KerasZipReadersTest.class.getResourceAsStream(
                "/dev/safeload/model/keras/lookup/adapted-string-lookup.keras")) {
            real = in.readAllBytes();
        }
        assertAllowed(scan("model.keras", real));
        byte[] evil = new ZipWriter().prefix(new byte[real.length]).stored("metadata.json", METADATA)
                .stored("config.json", EVIL).centralDirectory().endRecord(0).written();
        byte[] attack = concat(real, Arrays.copyOfRange(evil, real.length, evil.length));
        int comment = evil.length - real.length;
        attack[real.length - 2] = (byte) comment;
        attack[real.length - 1] = (byte) (comment >>> 8);
        ScanResult r = scan("model.keras", dump("appended-end-record.keras", attack));
        assertBlocked(r, ZipIndex.RULE_AMBIGUOUS, Severity.HIGH);
        assertBlocked(r, "keras.lambda", Severity.CRITICAL);
    }

    /** zipfile keeps the last of two entries named config.json (verified: the Lambda one); other readers may take the first. */
    @Test
    void refusesKerasArchiveWithTwoConfigs() {
        byte[] attack = keras(BENIGN).stored("config.json", EVIL).bytes();
        ScanResult r = scan("model.keras", dump("duplicate-config.keras", attack));
        assertBlocked(r, ZipIndex.RULE_AMBIGUOUS, Severity.HIGH);
        assertBlocked(r, "keras.lambda", Severity.CRITICAL);
        // The same two configs, the second under another name: read alike, and only config.json counts.
        assertAllowed(scan("model.keras", dump("twin-two-jsons.keras", keras(BENIGN).stored("assets/notes.json", BENIGN).bytes())));
    }

    /**
     * zipfile cuts a name at NUL, so "config.json\0.txt" is a second config.json to it (verified:
     * zipfile lists config.json twice and opens the last, the Lambda one); miniz and streaming
     * readers see another name.
     */
    @Test
    void refusesKerasConfigNamedWithNul() {
        byte[] attack = keras(BENIGN).stored("config.json\0.txt", EVIL).bytes();
        ScanResult r = scan("model.keras", dump("nul-config.keras", attack));
        assertBlocked(r, ZipIndex.RULE_AMBIGUOUS, Severity.HIGH);
        assertBlocked(r, "keras.lambda", Severity.CRITICAL);
    }

    /** zipfile shifts every offset past bytes before the archive (verified: it opens it); miniz does not. */
    @Test
    void refusesDataBeforeKerasArchive() {
        byte[] attack = concat("#!/bin/sh\nexit 0\n".getBytes(StandardCharsets.US_ASCII), keras(BENIGN).bytes());
        assertBlocked(scan("model.keras", dump("prepended.keras", attack)), ZipIndex.RULE_AMBIGUOUS, Severity.HIGH);
    }

    /**
     * The zip64 locator points at a benign zip64 record; zipfile reads the one right before the
     * locator (verified: the Lambda config), miniz follows the locator.
     */
    @Test
    void refusesZip64LocatorThatPointsAwayFromTheKerasConfigZipfileReads() {
        ZipWriter w = keras(BENIGN).centralDirectory();
        long benignRecord = w.size();
        w.zip64End(-1);
        w.stored("metadata.json", METADATA).stored("config.json", EVIL).centralDirectory().zip64End(benignRecord).endRecord(0);
        ScanResult r = scan("model.keras", dump("zip64-locator-elsewhere.keras", w.written()));
        assertBlocked(r, ZipIndex.RULE_AMBIGUOUS, Severity.HIGH);
        assertBlocked(r, "keras.lambda", Severity.CRITICAL);
        assertAllowed(scan("model.keras", dump("twin-zip64.keras",
                keras(BENIGN).centralDirectory().zip64End(-1).endRecord(0).written())));
    }

    /** A local header that gives metadata.json another size than the central directory: a streaming reader reads other bytes (zipfile reads the central sizes: verified, it opens the archive). */
    @Test
    void refusesKerasLocalHeaderThatDisagreesWithCentralDirectory() {
        byte[] attack = keras(BENIGN).bytes();
        attack[18] = (byte) (attack[18] - 1); // metadata.json's local compressed size
        assertBlocked(scan("model.keras", dump("local-size.keras", attack)), ZipIndex.RULE_AMBIGUOUS, Severity.HIGH);
    }

    /** A config only in a local header (no central entry): zipfile never reads it (verified: Dense), a streaming reader does; it is judged all the same. */
    @Test
    void judgesConfigOnlyALocalHeaderNames() {
        byte[] attack = new ZipWriter().stored("metadata.json", METADATA).stored("config.json", BENIGN)
                .entry("config.json", "config.json", EVIL, false, 0, false, false).bytes();
        assertBlocked(scan("model.keras", dump("local-only-config.keras", attack)), "keras.lambda", Severity.CRITICAL);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
