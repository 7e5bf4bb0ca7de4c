package dev.safeload.deser;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
