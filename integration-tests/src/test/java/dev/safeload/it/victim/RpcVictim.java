package dev.safeload.it.victim;

import com.caucho.hessian.io.Hessian2Input;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import net.razorvine.pickle.Unpickler;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * Reads a payload file as an RPC or cache service does with Kryo, Hessian or Pyrolite, and
 * prints one {@code RESULT} line: {@code ok <class> <value>}, or {@code refused
 * <exception>: <message>} for an exception the library's callers handle, or {@code failed ...}.
 */
public final class RpcVictim {

    private RpcVictim() {
    }

    /**
     * Kryo as caches and RPC layers configure it (Twitter chill, Flink, Spark): registration off,
     * references on, and Objenesis as the fallback for classes without a no-argument constructor.
     */
    public static Kryo kryo() {
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(false);
        kryo.setReferences(true);
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        return kryo;
    }

    /** The same Kryo with the service's own classes registered, as Kryo's documentation advises. */
    public static Kryo kryoRegistered() {
        Kryo kryo = kryo();
        kryo.register(RpcOrder.class);
        kryo.register(RpcQuote.class);
        return kryo;
    }

    /**
     * The same Kryo keeping Java serialization for one type, as Kryo's documentation shows
     * ({@code kryo.register(SomeClass.class, new JavaSerializer())}): here a {@code HashMap},
     * which {@code JavaSerializer} reads through a nested {@code ObjectInputStream}.
     */
    public static Kryo kryoJava() {
        Kryo kryo = kryo();
        kryo.register(java.util.HashMap.class, new com.esotericsoftware.kryo.serializers.JavaSerializer());
        return kryo;
    }

    public static void main(String[] args) throws Exception {
        System.out.println(result(args[0], Path.of(args[1])));
    }

    /** Reads {@code payload} in {@code mode} and returns the RESULT line. */
    public static String result(String mode, Path payload) throws java.io.IOException {
        byte[] bytes = Files.readAllBytes(payload);
        try {
            Object result = switch (mode) {
                case "kryo" -> kryo().readClassAndObject(new Input(bytes));
                case "kryo-bytebuffer" -> kryo().readClassAndObject(
                        new com.esotericsoftware.kryo.io.ByteBufferInput(java.nio.ByteBuffer.wrap(bytes)));
                case "kryo-unsafe" -> kryo().readClassAndObject(new com.esotericsoftware.kryo.unsafe.UnsafeInput(bytes));
                case "kryo-order" -> kryo().readObject(new Input(bytes), RpcOrder.class);
                case "kryo-registered" -> kryoRegistered().readClassAndObject(new Input(bytes));
                case "kryo-java" -> kryoJava().readClassAndObject(new Input(bytes));
                case "hessian" -> new Hessian2Input(new ByteArrayInputStream(bytes)).readObject();
                case "pickle-loads" -> new Unpickler().loads(bytes);
                case "pickle-load" -> new Unpickler().load(new ByteArrayInputStream(bytes));
                case "pickle-file" -> {
                    // A stream whose length Pyrolite cannot know in advance, as a socket's.
                    try (java.io.InputStream in = new java.io.BufferedInputStream(Files.newInputStream(payload))) {
                        yield new Unpickler().load(in);
                    }
                }
                default -> throw new IllegalArgumentException("unknown mode " + mode);
            };
            return "RESULT ok " + (result == null ? "null" : result.getClass().getName()) + " " + describe(result);
        } catch (com.esotericsoftware.kryo.KryoException | java.io.IOException | net.razorvine.pickle.PickleException e) {
            return "RESULT refused " + e.getClass().getName() + ": " + e.getMessage();
        } catch (Throwable e) {
            return "RESULT failed " + e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private static String describe(Object result) {
        String text = String.valueOf(result);
        return text.length() > 200 ? text.substring(0, 200) : text;
    }
}
