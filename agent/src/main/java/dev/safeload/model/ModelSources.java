package dev.safeload.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Sources made from other sources: a byte range of an archive, or a decompressed stream. */
public final class ModelSources {

    /** Decompressed content up to this size stays in memory; more goes to a temporary file. */
    private static final int IN_MEMORY = 16 * 1024 * 1024;

    private ModelSources() {
    }

    /** Thrown when a stream expands past the cap it was given. */
    public static final class TooLarge extends IOException {
        public TooLarge(long cap) {
            super("expands past " + cap + " bytes");
        }
    }

    /** {@code length} bytes of {@code outer} from {@code offset}, named {@code name}, without copying. */
    public static ModelSource slice(ModelSource outer, long offset, long length, String name) {
        return slice(outer, offset, length, name, outer.directory());
    }

    /** As {@link #slice(ModelSource, long, long, String)}, resolving relative references against {@code directory}. */
    public static ModelSource slice(ModelSource outer, long offset, long length, String name, Path directory) {
        return new ModelSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long size() {
                return length;
            }

            @Override
            public int read(long position, byte[] buffer, int off, int len) throws IOException {
                if (position >= length) {
                    return -1;
                }
                return outer.read(offset + position, buffer, off, (int) Math.min(len, length - position));
            }

            @Override
            public Path directory() {
                return directory;
            }
        };
    }

    /**
     * Reads {@code in} to its end into a new source (memory, then a temporary file deleted on
     * close).
     *
     * @throws TooLarge when it produces more than {@code cap} bytes; nothing is kept then
     */
    public static ModelSource spool(InputStream in, long cap, String name, Path directory) throws IOException {
        ByteArrayOutputStream memory = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        Path file = null;
        OutputStream out = memory;
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > cap) {
                    throw new TooLarge(cap);
                }
                if (file == null && total > IN_MEMORY) {
                    file = Files.createTempFile("safeload-", ".spool");
                    out = Files.newOutputStream(file);
                    memory.writeTo(out);
                    memory = null;
                }
                out.write(buf, 0, n);
            }
            if (file == null) {
                return ModelSource.of(name, memory.toByteArray(), directory);
            }
            out.close();
            return fileSource(file, name, directory);
        } catch (IOException | RuntimeException e) {
            if (file != null) {
                out.close();
                Files.deleteIfExists(file);
            }
            throw e;
        }
    }

    private static ModelSource fileSource(Path file, String name, Path directory) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.DELETE_ON_CLOSE);
        return new ModelSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long size() throws IOException {
                return channel.size();
            }

            @Override
            public int read(long position, byte[] buffer, int off, int len) throws IOException {
                return channel.read(ByteBuffer.wrap(buffer, off, len), position);
            }

            @Override
            public Path directory() {
                return directory;
            }

            @Override
            public void close() throws IOException {
                channel.close();
                Files.deleteIfExists(file);
            }
        };
    }

    /** The source as a stream from {@code offset}, for decompressors. */
    public static InputStream stream(ModelSource source, long offset) {
        return new InputStream() {
            private long pos = offset;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                int n = source.read(pos, b, off, len);
                if (n > 0) {
                    pos += n;
                }
                return n;
            }
        };
    }

    /** Reads up to {@code len} bytes at {@code position} into a new array (shorter at the end). */
    public static byte[] readAt(ModelSource source, long position, int len) throws IOException {
        if (position < 0) {
            // An offset read from the file as unsigned 64 bits: a FileChannel would throw IllegalArgumentException.
            throw new IOException(source.name() + ": offset " + Long.toUnsignedString(position)
                    + " is past any file's end: a corrupt or hostile offset");
        }
        byte[] buf = new byte[len];
        int total = 0;
        while (total < len) {
            int n = source.read(position + total, buf, total, len - total);
            if (n <= 0) {
                break;
            }
            total += n;
        }
        return total == len ? buf : java.util.Arrays.copyOf(buf, total);
    }
}
