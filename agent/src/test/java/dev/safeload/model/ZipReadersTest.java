package dev.safeload.model;

import static dev.safeload.model.ModelScannerTest.BENIGN;
import static dev.safeload.model.ModelScannerTest.EVIL;
import static dev.safeload.model.ModelScannerTest.torchZip;
import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;
import static dev.safeload.model.Scans.scan;

import dev.safeload.model.compress.ZipIndex;
import dev.safeload.model.pickle.PickleMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Archives that miniz (PyTorch) and Python's zipfile read differently, each with a twin both
 * read alike. {@code agent/src/test/python/zip_views.py} opens the fixtures this test dumps
 * (run with {@code -Dsafeload.dumpFixtures=DIR}) with the real zipfile (CPython 3.11), and
 * {@code zip_views_torch.py} with torch.load (torch 1.13, miniz); what they did is noted on each test.
 */
class ZipReadersTest {

    private static final byte[] VERSION = "3\n".getBytes(StandardCharsets.US_ASCII);

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

    /**
     * A benign archive whose end record's comment covers a second, evil one. zipfile (verified:
     * data.pkl imports posix.system) and miniz (verified: torch.load runs it) read the last
     * record; a reader that wants a fitting comment (this gate before) reads the first.
     */
    @Test
    void refusesSecondEndRecordThatRealReadersFollow() {
        ZipWriter w = new ZipWriter().stored("archive/data.pkl", BENIGN).stored("archive/version", VERSION).centralDirectory();
        // The first record's comment spans everything after it: the evil entries, their directory and record.
        byte[] evilPart = new ZipWriter().stored("archive/data.pkl", EVIL).stored("archive/version", VERSION).written();
        int directory = 2 * 46 + "archive/data.pkl".length() + "archive/version".length();
        w.endRecord(evilPart.length + directory + 22);
        int evilAt = w.size();
        ZipWriter evil = new ZipWriter().prefix(new byte[evilAt]).stored("archive/data.pkl", EVIL)
                .stored("archive/version", VERSION).centralDirectory().endRecord(5);
        byte[] evilBytes = evil.written();
        byte[] attack = concat(w.written(), java.util.Arrays.copyOfRange(evilBytes, evilAt, evilBytes.length));
        ScanResult r = scan("model.pt", dump("second-end-record.pt", attack));
        assertBlocked(r, ZipIndex.RULE_AMBIGUOUS, Severity.HIGH);
        assertBlocked(r, PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        assertAllowed(scan("model.pt", dump("twin-plain.pt", torchZip(BENIGN))));
    }

    /** zipfile 3.11 reads a record whose comment length overruns the file (verified); a strict reader refuses it. */
    @Test
    void refusesEndRecordWhoseCommentLengthDoesNotFit() {
        byte[] attack = new ZipWriter().stored("archive/data.pkl", BENIGN).stored("archive/version", VERSION)
                .centralDirectory().endRecord(7).written();
        assertBlocked(scan("model.pt", dump("comment-overrun.pt", attack)), ZipIndex.RULE_AMBIGUOUS, Severity.HIGH);
        byte[] twin = new ZipWriter().stored("archive/data.pkl", BENIGN).stored("archive/version", VERSION)
                .centralDirectory().endRecord(7).raw("comment".getBytes(StandardCharsets.US_ASCII)).written();
        assertAllowed(scan("model.pt", dump("twin-comment.pt", twin)));
    }

    /**
     * The zip64 locator points at a benign zip64 record; zipfile ignores the locator's offset and
     * reads the record right before it, the evil one (verified: zipfile's data.pkl is the evil
     * one; torch.load follows the locator to the benign data.pkl).
     */
    @Test
    void refusesZip64LocatorThatPointsAwayFromTheRecordZipfileReads() {
        ZipWriter w = new ZipWriter().stored("archive/data.pkl", BENIGN).stored("archive/version", VERSION).centralDirectory();
        long benignRecord = w.size();
        w.zip64End(-1);
        w.stored("archive/data.pkl", EVIL).stored("archive/version", VERSION).centralDirectory().zip64End(benignRecord).endRecord(0);
        ScanResult r = scan("model.pt", dump("zip64-locator-elsewhere.pt", w.written()));
        assertBlocked(r, ZipIndex.RULE_AMBIGUOUS, Severity.HIGH);
        assertBlocked(r, PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        byte[] twin = new ZipWriter().stored("archive/data.pkl", BENIGN).stored("archive/version", VERSION)
                .centralDirectory().zip64End(-1).endRecord(0).written();
        assertAllowed(scan("model.pt", dump("twin-zip64.pt", twin)));
    }

    /** zipfile shifts offsets past prepended bytes (verified: it opens the archive); torch.load unpickles the file instead (verified). */
    @Test
    void refusesDataBeforeTheArchive() {
        byte[] attack = concat("#!/bin/sh\nexit 0\n".getBytes(StandardCharsets.US_ASCII), torchZip(BENIGN));
        assertBlocked(scan("model.pt", dump("prepended.pt", attack)), ZipIndex.RULE_AMBIGUOUS, Severity.HIGH);
        assertAllowed(scan("model.pt", torchZip(BENIGN)));
    }

    /** zipfile's NameToInfo keeps the last of two same-named entries (verified); miniz's sorted lookup may return either. */
    @Test
    void refusesTwoEntriesWithTheSameName() {
        byte[] attack = new ZipWriter().stored("archive/data.pkl", BENIGN).stored("archive/data.pkl", BENIGN)
                .stored("archive/version", VERSION).bytes();
        assertBlocked(scan("model.pt", dump("duplicate-names.pt", attack)), ZipIndex.RULE_AMBIGUOUS, Severity.HIGH);
        byte[] twin = new ZipWriter().stored("archive/data.pkl", BENIGN).stored("archive/data/0", BENIGN)
                .stored("archive/version", VERSION).bytes();
        assertAllowed(scan("model.pt", twin));
    }

    /** miniz reads as many entries as the record counts, zipfile as many as fill the declared size (verified: zipfile lists 4, torch.load misses the 4th). */
    @Test
    void refusesEntryCountThatDisagreesWithDirectorySize() {
        byte[] attack = torchZip(BENIGN);
        int eocd = attack.length - 22;
        attack[eocd + 8] = 3;
        attack[eocd + 10] = 3;
        assertBlocked(scan("model.pt", dump("count-vs-size.pt", attack)), ZipIndex.RULE_AMBIGUOUS, Severity.HIGH);
    }

    /** Two central entries sharing one local header: one set of bytes read under two names (zipfile 3.11 opens both). */
    @Test
    void refusesOverlappingEntries() {
        byte[] attack = torchZip(BENIGN);
        int eocd = attack.length - 22;
        int cd = (int) ZipEndBytes.u32(attack, eocd + 16);
        int second = cd + 46 + "archive/data.pkl".length();
        for (int i = 0; i < 4; i++) {
            attack[second + 42 + i] = 0;
        }
        assertBlocked(scan("model.pt", dump("overlap.pt", attack)), ZipIndex.RULE_AMBIGUOUS, Severity.HIGH);
    }

    /** A stored entry whose local header declares fewer bytes than the central directory: a streaming reader reads other data. */
    @Test
    void refusesLocalHeaderThatDisagreesWithCentralDirectory() {
        byte[] attack = torchZip(BENIGN);
        attack[18] = (byte) (attack[18] - 1);
        assertBlocked(scan("model.pt", dump("local-size.pt", attack)), ZipIndex.RULE_AMBIGUOUS, Severity.HIGH);
        byte[] method = torchZip(BENIGN);
        method[8] = 8;
        assertBlocked(scan("model.pt", method), ZipIndex.RULE_AMBIGUOUS, Severity.HIGH);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static final class ZipEndBytes {
        static long u32(byte[] b, int i) {
            return (b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16 | (b[i + 3] & 0xffL) << 24;
        }
    }
}
