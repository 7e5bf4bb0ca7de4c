package dev.safeload.model;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

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

    /**
     * A file on disk. A regular file is read through a {@link RandomAccessFile}, loaded at JVM
     * start: a {@link FileChannel} is some 17 JDK classes and a temporary direct buffer at the
     * first model load. It fails as the channel did, so findings name the same reasons: anything
     * else (missing, a folder, a pipe, another file system's) and a file it cannot open
     * (unreadable) go through the channel, which throws the JDK's file exceptions
     * ({@code NoSuchFileException}, {@code AccessDeniedException}, whose reasons
     * {@code ModelScanner.reason} words); on an interrupted thread a read gets a
     * {@link ClosedByInterruptException} and closes the file; a negative position is an
     * {@link IllegalArgumentException}.
     */
    static ModelSource of(Path file) throws IOException {
        if (file.getFileSystem() != FileSystems.getDefault() || !Files.isRegularFile(file)) {
            return throughChannel(file);
        }
        RandomAccessFile raf;
        try {
            raf = new RandomAccessFile(file.toString(), "r");
        } catch (FileNotFoundException e) {
            return throughChannel(file);
        }
        Path dir = file.toAbsolutePath().getParent();
        return new ModelSource() {
            private boolean closedByInterrupt;

            @Override
            public String name() {
                return file.toString();
            }

            @Override
            public synchronized long size() throws IOException {
                notInterrupted();
                return raf.length();
            }

            @Override
            public synchronized int read(long position, byte[] buffer, int offset, int len) throws IOException {
                Objects.checkFromIndexSize(offset, len, buffer.length); // as ByteBuffer.wrap
                if (position < 0) {
                    throw new IllegalArgumentException("Negative position");
                }
                notInterrupted();
                if (len == 0) {
                    return 0;
                }
                raf.seek(position);
                return raf.read(buffer, offset, len);
            }

            /** What the channel's blocking section does for an interrupted thread. */
            private void notInterrupted() throws IOException {
                if (closedByInterrupt) {
                    throw new ClosedChannelException();
                }
                if (Thread.currentThread().isInterrupted()) {
                    closedByInterrupt = true;
                    raf.close();
                    throw new ClosedByInterruptException();
                }
            }

            @Override
            public Path directory() {
                return dir;
            }

            @Override
            public void close() throws IOException {
                raf.close();
            }
        };
    }

    /** A file read through a {@link FileChannel}: any file system's. */
    private static ModelSource throughChannel(Path file) throws IOException {
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
