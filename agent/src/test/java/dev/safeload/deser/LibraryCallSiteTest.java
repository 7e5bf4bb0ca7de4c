package dev.safeload.deser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Iterator;
import org.junit.jupiter.api.Test;

class LibraryCallSiteTest {

    /** The library whose outermost frame names the entry point: the entry class's first three package segments. */
    @Test
    void takesTheLibraryToBeTheFirstThreePackageSegmentsOfTheEntryClass() {
        assertEquals("org.yaml.snakeyaml.", LibraryCallSite.libraryRoot("org.yaml.snakeyaml.Yaml.load"));
        assertEquals("com.fasterxml.jackson.",
                LibraryCallSite.libraryRoot("com.fasterxml.jackson.databind.ObjectMapper.readValue"));
        assertEquals("com.caucho.hessian.", LibraryCallSite.libraryRoot("com.caucho.hessian.io.Hessian2Input.readObject"));
        assertEquals("java.beans.", LibraryCallSite.libraryRoot("java.beans.XMLDecoder.readObject"));
        assertEquals("net.razorvine.pickle.", LibraryCallSite.libraryRoot("net.razorvine.pickle.Unpickler.load"));
    }

    /** A library's iterator reads in its anonymous class's next(): named by the method that returned it, as Yaml.loadAll's is. */
    @Test
    void namesAFrameOfAnAnonymousClassByTheMethodThatDeclaresIt() {
        assertEquals(FakeLibrary.class.getName() + ".loadAll", FakeLibrary.loadAll().next());
        assertEquals(FakeLibrary.class.getName() + ".load", FakeLibrary.load());
    }

    /** Stands for a library: each read answers the entry point its innermost frame is named by. */
    static final class FakeLibrary {
        static String load() {
            return innermost();
        }

        static Iterator<String> loadAll() {
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public String next() {
                    return innermost();
                }
            };
        }

        private static String innermost() {
            return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                    .walk(frames -> LibraryCallSite.entryPoint(frames.skip(1).findFirst().orElseThrow()));
        }
    }
}
