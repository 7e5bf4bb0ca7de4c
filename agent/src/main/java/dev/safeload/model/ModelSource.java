package dev.safeload.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Random-access bytes of one artifact: a file, a byte array a library was handed, or an entry
 * inside an archive. Checks read only what the verdict needs through {@link #read}.
 */
public interface ModelSource extends AutoCloseable {

    /** A name for findings and logs: a path, or {@code outer.zip!/entry}. */
    String name();

    /** Total size in bytes. */
    long size() throws IOException;

    /**
     * Reads up to {@code len} bytes at {@code position}; returns the count read, or -1 at the end.
     */
    int read(long position, byte[] buffer, int offset, int len) throws IOException;

    /** The folder that relative references (ONNX external data) resolve against, or null. */
    Path directory();

    @Override
    default void close() throws IOException {
    }

    /** A file on disk, read through a {@link FileChannel}. */
    static ModelSource of(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        Path dir = file.toAbsolutePath().getParent();
        return new ModelSource() {
            @Override
            public String name() {
                return file.toString();
            }

            @Override
            public long size() throws IOException {
                return channel.size();
            }

            @Override
            public int read(long position, byte[] buffer, int offset, int len) throws IOException {
                return channel.read(ByteBuffer.wrap(buffer, offset, len), position);
            }

            @Override
            public Path directory() {
                return dir;
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    /** Bytes in memory, e.g. a {@code byte[]} handed to a model loader. */
    static ModelSource of(String name, byte[] bytes, Path directory) {
        return new ModelSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public int read(long position, byte[] buffer, int offset, int len) throws IOException {
                if (position < 0) {
                    // (int) of a negative long can be a valid index: refuse it as FileChannel does.
                    throw new IOException(name + ": negative position " + position);
                }
                if (position >= bytes.length) {
                    return -1;
                }
                int n = (int) Math.min(len, bytes.length - position);
                System.arraycopy(bytes, (int) position, buffer, offset, n);
                return n;
            }

            @Override
            public Path directory() {
                return directory;
            }
        };
    }
}
