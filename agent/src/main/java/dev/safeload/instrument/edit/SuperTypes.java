package dev.safeload.instrument.edit;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.jar.asm.ClassReader;

/**
 * Whether a class has a given supertype (itself included, as Byte Buddy's {@code hasSuperType}), for {@link EntryHook#inSubtypes}: decided while the class
 * is being defined, from class file headers read through its loader, without loading a class
 * (the superclass may not be loaded yet, and loading it from inside a transformer can deadlock).
 * A type of the JDK cannot extend a library's type, so the walk stops there.
 */
public final class SuperTypes {

    /** Internal name to its superclass and interfaces, as read from its class file; by name, whatever the loader. */
    private final Map<String, List<String>> direct = new ConcurrentHashMap<>();

    /**
     * @param bytes the class file being defined
     * @param loader its defining loader, which finds its supertypes' class files (null: the boot loader)
     * @param supertype the binary name looked for
     */
    public boolean has(byte[] bytes, ClassLoader loader, String supertype) {
        ClassReader reader = new ClassReader(bytes);
        String target = supertype.replace('.', '/');
        return reader.getClassName().equals(target) || reaches(parents(reader), loader, target);
    }

    /** The same question of a loaded class (on attach), answered by reflection. */
    public static boolean has(Class<?> type, String supertype) {
        ArrayDeque<Class<?>> todo = new ArrayDeque<>();
        todo.add(type);
        Set<Class<?>> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            Class<?> t = todo.poll();
            if (!seen.add(t)) {
                continue;
            }
            if (t.getName().equals(supertype)) {
                return true;
            }
            if (t.getSuperclass() != null) {
                todo.add(t.getSuperclass());
            }
            todo.addAll(List.of(t.getInterfaces()));
        }
        return false;
    }

    private boolean reaches(List<String> start, ClassLoader loader, String target) {
        ArrayDeque<String> todo = new ArrayDeque<>(start);
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String name = todo.poll();
            if (name.equals(target)) {
                return true;
            }
            if (!seen.add(name) || jdk(name)) {
                continue;
            }
            todo.addAll(direct(name, loader));
        }
        return false;
    }

    private List<String> direct(String internalName, ClassLoader loader) {
        List<String> known = direct.get(internalName);
        if (known != null) {
            return known;
        }
        List<String> parents = List.of();
        try (InputStream in = loader != null ? loader.getResourceAsStream(internalName + ".class")
                : ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
            if (in != null) {
                parents = parents(new ClassReader(in));
            }
        } catch (IOException | RuntimeException e) {
            // Unreadable: this branch of the hierarchy is taken to end here, as an unhooked class.
        }
        direct.put(internalName, parents);
        return parents;
    }

    private static List<String> parents(ClassReader reader) {
        String superName = reader.getSuperName();
        String[] interfaces = reader.getInterfaces();
        String[] all = new String[interfaces.length + (superName != null ? 1 : 0)];
        System.arraycopy(interfaces, 0, all, 0, interfaces.length);
        if (superName != null) {
            all[interfaces.length] = superName;
        }
        return List.of(all);
    }

    private static boolean jdk(String internalName) {
        return internalName.startsWith("java/") || internalName.startsWith("javax/") || internalName.startsWith("jdk/")
                || internalName.startsWith("sun/") || internalName.startsWith("com/sun/");
    }
}
