package dev.safeload.model;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes zip archives byte by byte, including the broken ones no library writes: wrong CRCs,
 * entries only in local headers, names that differ between the two views, encryption flags.
 */
final class ZipWriter {

    private record Central(byte[] name, int flags, int method, long crc, long csize, long usize, long offset) {
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Central> central = new ArrayList<>();

    ZipWriter prefix(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    ZipWriter stored(String name, byte[] data) {
        return entry(name, name, data, false, 0, false, true);
    }

    ZipWriter deflated(String name, byte[] data) {
        return entry(name, name, data, true, 0, false, true);
    }

    /** An entry with full control: local and central names, a wrong CRC, flags, central listing. */
    ZipWriter entry(String localName, String centralName, byte[] data, boolean deflate, int flags,
                    boolean badCrc, boolean listInCentral) {
        CRC32 crc = new CRC32();
        crc.update(data);
        long crcValue = badCrc ? crc.getValue() ^ 0xdeadbeefL : crc.getValue();
        byte[] payload = data;
        if (deflate) {
            Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            d.setInput(data);
            d.finish();
            ByteArrayOutputStream c = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            while (!d.finished()) {
                c.write(buf, 0, d.deflate(buf));
            }
            payload = c.toByteArray();
        }
        long offset = out.size();
        byte[] ln = localName.getBytes(StandardCharsets.UTF_8);
        le(0x04034b50, 4);
        le(20, 2);
        le(flags, 2);
        le(deflate ? 8 : 0, 2);
        le(0, 4);
        le(crcValue, 4);
        le(payload.length, 4);
        le(data.length, 4);
        le(ln.length, 2);
        le(0, 2);
        out.writeBytes(ln);
        out.writeBytes(payload);
        if (listInCentral) {
            central.add(new Central(centralName.getBytes(StandardCharsets.UTF_8), flags, deflate ? 8 : 0,
                    crcValue, payload.length, data.length, offset));
        }
        return this;
    }

    /** An entry only in local headers, written as a streaming writer does: sizes in a trailing data descriptor. */
    ZipWriter streamedLocalOnly(String name, byte[] data, boolean deflate) {
        byte[] payload = data;
        if (deflate) {
            Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            d.setInput(data);
            d.finish();
            ByteArrayOutputStream c = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            while (!d.finished()) {
                c.write(buf, 0, d.deflate(buf));
            }
            payload = c.toByteArray();
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        le(0x04034b50, 4);
        le(20, 2);
        le(8, 2);
        le(deflate ? 8 : 0, 2);
        le(0, 4);
        le(0, 4);
        le(0, 4);
        le(0, 4);
        le(n.length, 2);
        le(0, 2);
        out.writeBytes(n);
        out.writeBytes(payload);
        le(0x08074b50, 4);
        le(crc.getValue(), 4);
        le(payload.length, 4);
        le(data.length, 4);
        return this;
    }

    byte[] bytes() {
        return centralDirectory().endRecord(0).written();
    }

    private long cdStart;
    private long cdSize;

    /** Writes the central directory of the entries so far, and starts a new list. */
    ZipWriter centralDirectory() {
        cdStart = out.size();
        for (Central c : central) {
            le(0x02014b50, 4);
            le(20, 2);
            le(20, 2);
            le(c.flags(), 2);
            le(c.method(), 2);
            le(0, 4);
            le(c.crc(), 4);
            le(c.csize(), 4);
            le(c.usize(), 4);
            le(c.name().length, 2);
            le(0, 2);
            le(0, 2);
            le(0, 2);
            le(0, 2);
            le(0, 4);
            le(c.offset(), 4);
            out.writeBytes(c.name());
        }
        cdSize = out.size() - cdStart;
        entriesInDirectory = central.size();
        central.clear();
        return this;
    }

    private int entriesInDirectory;

    /** An end record for the last central directory, declaring a comment of {@code commentLength} bytes (none written). */
    ZipWriter endRecord(int commentLength) {
        le(0x06054b50, 4);
        le(0, 2);
        le(0, 2);
        le(entriesInDirectory, 2);
        le(entriesInDirectory, 2);
        le(cdSize, 4);
        le(cdStart, 4);
        le(commentLength, 2);
        return this;
    }

    /** A zip64 end record for the last central directory and a locator that says it is at {@code declaredOffset} (-1: where it is). */
    ZipWriter zip64End(long declaredOffset) {
        long at = out.size();
        le(0x06064b50, 4);
        le(44, 8);
        le(45, 2);
        le(45, 2);
        le(0, 4);
        le(0, 4);
        le(entriesInDirectory, 8);
        le(entriesInDirectory, 8);
        le(cdSize, 8);
        le(cdStart, 8);
        le(0x07064b50, 4);
        le(0, 4);
        le(declaredOffset < 0 ? at : declaredOffset, 8);
        le(1, 4);
        return this;
    }

    /** Any bytes, as written. */
    ZipWriter raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] written() {
        return out.toByteArray();
    }

    private void le(long v, int n) {
        for (int i = 0; i < n; i++) {
            out.write((int) (v >>> (8 * i)));
        }
    }
}
