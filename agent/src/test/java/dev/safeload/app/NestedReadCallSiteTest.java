package dev.safeload.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.report.CallSite;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import org.junit.jupiter.api.Test;

/**
 * Where a check says it happened, seen from an application package (the agent's own packages
 * count as infrastructure). The call sites are captured inside real {@link ObjectInputStream}
 * reads, as the filter sees them.
 */
class NestedReadCallSiteTest {

    private static final String OIS = "java.io.ObjectInputStream";

    /** Captures the call site as the filter would while the stream reads this object's field. */
    static final class Leaf implements Serializable {
        private static final long serialVersionUID = 1L;
        transient CallSite seen;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            seen = CallSite.capture(OIS, OIS + ".readObject");
        }
    }

    /** A library class that reads a nested object in its own readObject, as a gadget does. */
    static final class Holder implements Serializable {
        private static final long serialVersionUID = 1L;
        Object inner;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            inner = in.readObject();
        }
    }

    private static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    private static Object applicationReads(byte[] bytes) throws Exception {
        return new ObjectInputStream(new ByteArrayInputStream(bytes)).readUnshared();
    }

    @Test
    void namesThePublicEntryPointAndTheApplicationFrameOfANestedRead() throws Exception {
        Holder holder = new Holder();
        holder.inner = new Leaf();
        Holder read = (Holder) applicationReads(serialize(holder));
        CallSite site = ((Leaf) read.inner).seen;

        assertEquals(OIS + ".readUnshared", site.entryPoint(), site::toString);
        assertTrue(site.frame().startsWith(NestedReadCallSiteTest.class.getName() + ".applicationReads("),
                site::toString);
        assertEquals(NestedReadCallSiteTest.class.getName(), site.callerClass());
        assertTrue(site.libraryFrame().startsWith(Leaf.class.getName() + ".readObject("), site::toString);
    }

    @Test
    void leavesTheLibraryFrameOutOfAReadThatIsNotNested() throws Exception {
        CallSite site = CallSite.capture(OIS, OIS + ".readObject");

        assertEquals(OIS + ".readObject", site.entryPoint(), "no entry frame: the default");
        assertTrue(site.frame().startsWith(NestedReadCallSiteTest.class.getName()
                + ".leavesTheLibraryFrameOutOfAReadThatIsNotNested("), site::toString);
        assertNull(site.libraryFrame());
    }
}
