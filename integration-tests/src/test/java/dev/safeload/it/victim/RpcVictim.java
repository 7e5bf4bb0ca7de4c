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

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        byte[] payload = Files.readAllBytes(Path.of(args[1]));
        try {
            Object result = switch (mode) {
                case "kryo" -> kryo().readClassAndObject(new Input(payload));
                case "kryo-order" -> kryo().readObject(new Input(payload), RpcOrder.class);
                case "kryo-registered" -> kryoRegistered().readClassAndObject(new Input(payload));
                case "hessian" -> new Hessian2Input(new ByteArrayInputStream(payload)).readObject();
                case "pickle-loads" -> new Unpickler().loads(payload);
                case "pickle-load" -> new Unpickler().load(new ByteArrayInputStream(payload));
                case "pickle-file" -> {
                    // A stream whose length Pyrolite cannot know in advance, as a socket's.
                    try (java.io.InputStream in = new java.io.BufferedInputStream(Files.newInputStream(Path.of(args[1])))) {
                        yield new Unpickler().load(in);
                    }
                }
                default -> throw new IllegalArgumentException("unknown mode " + mode);
            };
            System.out.println("RESULT ok " + (result == null ? "null" : result.getClass().getName()) + " "
                    + describe(result));
        } catch (com.esotericsoftware.kryo.KryoException | java.io.IOException | net.razorvine.pickle.PickleException e) {
            System.out.println("RESULT refused " + e.getClass().getName() + ": " + e.getMessage());
        } catch (Throwable e) {
            System.out.println("RESULT failed " + e.getClass().getName() + ": " + e.getMessage());
        }
    }

    private static String describe(Object result) {
        String text = String.valueOf(result);
        return text.length() > 200 ? text.substring(0, 200) : text;
    }
}
