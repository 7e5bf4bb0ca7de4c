package dev.safeload.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file's {@link ModelSource} reads through a {@code RandomAccessFile}; it must read and fail
 * as a {@link FileChannel} of the same file does, since findings carry what it throws.
 */
class ModelSourceFileTest {

    @TempDir
    Path dir;

    private Path file(int size) throws IOException {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        Path file = dir.resolve("model-" + size + ".bin");
        Files.write(file, bytes);
        return file;
    }

    @Test
    void readsWhatTheChannelReadsAtEveryPosition() throws IOException {
        for (int size : new int[] {0, 1, 7, 8192, 100_003}) {
            Path file = file(size);
            try (ModelSource source = ModelSource.of(file); FileChannel channel = FileChannel.open(file)) {
                assertEquals(channel.size(), source.size());
                long[] positions = {0, 1, size / 2, size - 1L, size, size + 1L, size + 100_000L, Integer.MAX_VALUE + 5L};
                for (long position : positions) {
                    if (position < 0) {
                        continue;
                    }
                    for (int len : new int[] {0, 1, 3, 4096, 70_000}) {
                        byte[] ours = new byte[len + 5];
                        byte[] theirs = new byte[len + 5];
                        int n = source.read(position, ours, 2, len);
                        int m = channel.read(ByteBuffer.wrap(theirs, 2, len), position);
                        assertEquals(m, n, size + " bytes, at " + position + ", " + len);
                        assertArrayEquals(theirs, ours, size + " bytes, at " + position + ", " + len);
                    }
                }
            }
        }
    }

    @Test
    void failsAsTheChannelFailsOnBadArguments() throws IOException {
        Path file = file(100);
        try (ModelSource source = ModelSource.of(file); FileChannel channel = FileChannel.open(file)) {
            IllegalArgumentException ours = assertThrows(IllegalArgumentException.class, () -> source.read(-1, new byte[4], 0, 4));
            IllegalArgumentException theirs = assertThrows(IllegalArgumentException.class,
                    () -> channel.read(ByteBuffer.wrap(new byte[4], 0, 4), -1));
            assertEquals(theirs.getMessage(), ours.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> source.read(0, new byte[4], 2, 3));
            assertThrows(IndexOutOfBoundsException.class, () -> channel.read(ByteBuffer.wrap(new byte[4], 2, 3), 0));
        }
    }

    @Test
    void anInterruptedThreadClosesTheFileAsTheChannelDoes() throws IOException {
        Path file = file(100);
        ModelSource source = ModelSource.of(file);
        FileChannel channel = FileChannel.open(file);
        Thread.currentThread().interrupt();
        try {
            assertThrows(ClosedByInterruptException.class, () -> channel.read(ByteBuffer.allocate(4), 0));
            assertThrows(ClosedByInterruptException.class, () -> source.read(0, new byte[4], 0, 4));
        } finally {
            assertTrue(Thread.interrupted(), "the interrupt stays set, as the channel leaves it");
        }
        assertThrows(ClosedChannelException.class, () -> channel.read(ByteBuffer.allocate(4), 0));
        assertThrows(ClosedChannelException.class, () -> source.read(0, new byte[4], 0, 4));
        assertThrows(ClosedChannelException.class, source::size);
        source.close();
    }

    @Test
    void failsToOpenWithTheJdkFileExceptions() throws IOException {
        Path missing = dir.resolve("missing.onnx");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> ModelSource.of(missing));
        assertEquals(missing.toString(), e.getMessage());
        assertEquals("no such file", ModelScanner.reason(e));

        // A folder opens (as a channel does on Linux) and fails at the read with the channel's exception.
        Path folder = Files.createDirectory(dir.resolve("folder"));
        IOException theirs;
        try (FileChannel channel = FileChannel.open(folder)) {
            theirs = assertThrows(IOException.class, () -> channel.read(ByteBuffer.allocate(4), 0));
        }
        try (ModelSource source = ModelSource.of(folder)) {
            IOException ours = assertThrows(IOException.class, () -> source.read(0, new byte[4], 0, 4));
            assertEquals(theirs.getClass(), ours.getClass());
            assertEquals(theirs.getMessage(), ours.getMessage());
        }
    }
}
