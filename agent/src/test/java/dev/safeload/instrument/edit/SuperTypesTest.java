package dev.safeload.instrument.edit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class SuperTypesTest {

    interface Model {
    }

    abstract static class BaseModel implements Model {
    }

    static final class EngineModel extends BaseModel {
    }

    static final class Unrelated implements Comparable<Unrelated> {
        @Override
        public int compareTo(Unrelated o) {
            return 0;
        }
    }

    private static byte[] bytes(Class<?> type) throws IOException {
        String name = type.getName();
        try (InputStream in = type.getResourceAsStream(name.substring(name.lastIndexOf('.') + 1) + ".class")) {
            return in.readAllBytes();
        }
    }

    /** EngineModel names only BaseModel; the interface is found in BaseModel's class file, read through the loader. */
    @Test
    void findsAnInterfaceOfTheSuperclassFromClassFilesAlone() throws IOException {
        SuperTypes types = new SuperTypes();
        ClassLoader loader = getClass().getClassLoader();
        assertTrue(types.has(bytes(EngineModel.class), loader, Model.class.getName()));
        assertTrue(types.has(bytes(BaseModel.class), loader, Model.class.getName()));
        assertTrue(types.has(bytes(Model.class), loader, Model.class.getName()), "a type is its own supertype");
        assertFalse(types.has(bytes(Unrelated.class), loader, Model.class.getName()));
        assertFalse(types.has(bytes(EngineModel.class), loader, "com.acme.Model"));
    }

    @Test
    void answersTheSameForLoadedClasses() {
        assertTrue(SuperTypes.has(EngineModel.class, Model.class.getName()));
        assertFalse(SuperTypes.has(Unrelated.class, Model.class.getName()));
    }

    @Test
    void aSupertypeWhoseClassFileCannotBeFoundEndsTheWalk() throws IOException {
        ClassLoader empty = new ClassLoader(null) {
        };
        // BaseModel's class file is not found through this loader: the walk stops, and says no.
        assertFalse(new SuperTypes().has(bytes(EngineModel.class), empty, Model.class.getName()));
    }
}
