package dev.safeload.bench.model;

import dev.safeload.model.pickle.PickleOp;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes the model files bench/scan.sh times the scanner on:
 * <ul>
 *   <li>{@code torch FILE BYTES}: a torch.save-shaped zip, entries stored, with a data.pkl that
 *       rebuilds one float tensor from storage {@code 0} and a {@code data/0} entry of BYTES;</li>
 *   <li>{@code safetensors FILE BYTES}: one F32 tensor of BYTES;</li>
 *   <li>{@code mixed DIR COUNT}: COUNT small models, in turn torch zip, safetensors, plain pickle
 *       state dict and .npy.</li>
 * </ul>
 */
public final class ModelFiles {

    private static final int BUFFER = 1 << 20;

    private ModelFiles() {
    }

    public static void main(String[] args) throws IOException {
        Path target = Path.of(args[1]);
        long n = Long.parseLong(args[2]);
        switch (args[0]) {
            case "torch" -> torchZip(target, n);
            case "safetensors" -> safetensors(target, n);
            case "mixed" -> mixed(target, (int) n);
            default -> throw new IllegalArgumentException("torch|safetensors|mixed, not " + args[0]);
        }
    }

    static void mixed(Path dir, int count) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < count; i++) {
            long bytes = 64L * (1 + i % 16);
            switch (i % 4) {
                case 0 -> torchZip(dir.resolve("model-" + i + ".pt"), bytes);
                case 1 -> safetensors(dir.resolve("model-" + i + ".safetensors"), bytes);
                case 2 -> Files.write(dir.resolve("model-" + i + ".pkl"), stateDictPickle(bytes / 4));
                default -> npy(dir.resolve("model-" + i + ".npy"), bytes);
            }
        }
    }

    static void torchZip(Path file, long dataBytes) throws IOException {
        byte[] pkl = stateDictPickle(dataBytes / 4);
        try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(file), BUFFER))) {
            zip.setMethod(ZipOutputStream.STORED);
            stored(zip, "archive/data.pkl", pkl);
            ZipEntry data = new ZipEntry("archive/data/0");
            data.setMethod(ZipEntry.STORED);
            data.setSize(dataBytes);
            data.setCompressedSize(dataBytes);
            data.setCrc(crcOfZeros(dataBytes));
            zip.putNextEntry(data);
            zeros(zip, dataBytes);
            zip.closeEntry();
            stored(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            stored(zip, "archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        }
    }

    static void safetensors(Path file, long dataBytes) throws IOException {
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[")
                .append(dataBytes / 4).append("],\"data_offsets\":[0,").append(dataBytes).append("]}}");
        while (header.length() % 8 != 0) {
            header.append(' ');
        }
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), BUFFER)) {
            long len = h.length;
            for (int i = 0; i < 8; i++) {
                out.write((int) (len >>> (8 * i)));
            }
            out.write(h);
            zeros(out, dataBytes);
        }
    }

    static void npy(Path file, long dataBytes) throws IOException {
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (")
                .append(dataBytes / 4).append(",), }");
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x93);
        out.writeBytes("NUMPY".getBytes(StandardCharsets.US_ASCII));
        out.write(1);
        out.write(0);
        out.write(header.length() & 0xff);
        out.write(header.length() >>> 8);
        out.writeBytes(header.toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(new byte[(int) dataBytes]);
        Files.write(file, out.toByteArray());
    }

    /** {@code OrderedDict(w=_rebuild_tensor_v2(persistent storage "0", 0, (numel,), (1,), False, OrderedDict()))}, protocol 2. */
    static byte[] stateDictPickle(long numel) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        op(b, PickleOp.PROTO);
        b.write(2);
        global(b, "collections", "OrderedDict");
        op(b, PickleOp.EMPTY_TUPLE);
        op(b, PickleOp.REDUCE);
        op(b, PickleOp.MARK);
        str(b, "w");
        global(b, "torch._utils", "_rebuild_tensor_v2");
        op(b, PickleOp.MARK);
        op(b, PickleOp.MARK);
        str(b, "storage");
        global(b, "torch", "FloatStorage");
        str(b, "0");
        str(b, "cpu");
        binint(b, numel);
        op(b, PickleOp.TUPLE);
        op(b, PickleOp.BINPERSID);
        binint(b, 0);
        binint(b, numel);
        op(b, PickleOp.TUPLE1);
        binint(b, 1);
        op(b, PickleOp.TUPLE1);
        op(b, PickleOp.NEWFALSE);
        global(b, "collections", "OrderedDict");
        op(b, PickleOp.EMPTY_TUPLE);
        op(b, PickleOp.REDUCE);
        op(b, PickleOp.TUPLE);
        op(b, PickleOp.REDUCE);
        op(b, PickleOp.SETITEMS);
        op(b, PickleOp.STOP);
        return b.toByteArray();
    }

    private static void op(ByteArrayOutputStream b, PickleOp op) {
        b.write(op.code);
    }

    private static void global(ByteArrayOutputStream b, String module, String name) {
        op(b, PickleOp.GLOBAL);
        b.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void str(ByteArrayOutputStream b, String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        op(b, PickleOp.SHORT_BINUNICODE);
        b.write(u.length);
        b.writeBytes(u);
    }

    private static void binint(ByteArrayOutputStream b, long v) {
        op(b, PickleOp.BININT);
        for (int i = 0; i < 4; i++) {
            b.write((int) (v >>> (8 * i)));
        }
    }

    private static void stored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(bytes.length);
        e.setCompressedSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(bytes);
        zip.closeEntry();
    }

    private static long crcOfZeros(long n) {
        CRC32 crc = new CRC32();
        byte[] zero = new byte[BUFFER];
        for (long left = n; left > 0; left -= BUFFER) {
            crc.update(zero, 0, (int) Math.min(BUFFER, left));
        }
        return crc.getValue();
    }

    private static void zeros(OutputStream out, long n) throws IOException {
        byte[] zero = new byte[BUFFER];
        for (long left = n; left > 0; left -= BUFFER) {
            out.write(zero, 0, (int) Math.min(BUFFER, left));
        }
    }
}
