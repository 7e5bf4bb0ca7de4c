package dev.safeload.it.victim;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a payload in its static initializer, before {@code main}: the first stream of the
 * JVM. The stream's {@code resolveClass} initializes the classes it loads, as some real
 * subclasses do, so a class named in the stream runs its static initializer unless it is
 * refused before {@code resolveClass} runs. Prints one {@code RESULT} line from {@code main}.
 */
public final class EarlyVictim {

    private static final String RESULT;

    static {
        String result;
        try (InputStream in = new ByteArrayInputStream(Files.readAllBytes(Path.of(System.getProperty("victim.payload"))));
             ObjectInputStream stream = new InitializingStream(in)) {
            Object read = stream.readObject();
            result = "ok " + read.getClass().getName();
        } catch (java.io.InvalidClassException e) {
            result = "refused " + e.getMessage();
        } catch (IOException | ClassNotFoundException | RuntimeException | LinkageError e) {
            result = "failed " + e;
        }
        RESULT = result;
    }

    private EarlyVictim() {
    }

    public static void main(String[] args) {
        System.out.println("RESULT " + RESULT);
    }

    /** resolveClass with initialization, as a framework that loads "through the context class loader" might. */
    static final class InitializingStream extends ObjectInputStream {
        InitializingStream(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws ClassNotFoundException {
            return Class.forName(desc.getName(), true, EarlyVictim.class.getClassLoader());
        }
    }
}
