package dev.safeload.it.victim;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.HashMap;

/**
 * Prints which class loader holds the agent's classes: one {@code name=loader} line each, where
 * loader is {@code boot}, {@code app} (the application class loader), {@code absent} (not
 * loadable through the boot loader nor through this class's own loader), or another loader's
 * class name. First it reads a serialized map, so that the agent's gate has run.
 */
public final class LoaderVictim {

    public static void main(String[] args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new HashMap<>(java.util.Map.of("k", "v")));
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            System.out.println("read=" + in.readObject());
        }
        for (String name : args) {
            System.out.println(name + "=" + loaderOf(name));
        }
    }

    private static String loaderOf(String name) {
        Class<?> type;
        try {
            type = Class.forName(name, false, null);
        } catch (ClassNotFoundException notBoot) {
            try {
                type = Class.forName(name, false, LoaderVictim.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                return "absent";
            }
        }
        ClassLoader loader = type.getClassLoader();
        return loader == null ? "boot" : loader == ClassLoader.getSystemClassLoader() ? "app" : loader.getClass().getName();
    }
}
