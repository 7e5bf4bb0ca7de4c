package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.Scenario;
import dev.safeload.it.victim.Envelope;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A gadget read inside an allowed class's own readObject: the event names the public method
 * the application called and the application's frame, and keeps the class's frame apart.
 */
class NestedReadCallSiteTest {

    @Test
    void namesTheApplicationsEntryPointAndFrameForAGadgetReadInsideAnotherClasssReadObject() throws Exception {
        Scenario s = Scenario.on(Jdks.current());
        Path payload = s.payload(Payloads.serialize(new Envelope(Payloads.commonsCollections3(s.marker()))));

        Scenario.Outcome without = s.run(null, "read", payload.toString());
        assertTrue(without.markerCreated(), () -> "the chain runs through Envelope.readObject unprotected\n" + without);

        Scenario.Outcome with = s.run("serial.allow=" + Envelope.class.getName(), "read", payload.toString());
        assertFalse(with.markerCreated(), with::toString);
        JsonNode event = with.actions("refuse").get(0);
        assertEquals("java.io.ObjectInputStream.readObject", event.path("safeload.entry_point").asText(), event::toString);
        assertTrue(event.path("safeload.call_site").asText().startsWith("dev.safeload.it.victim.Victim.main("),
                event::toString);
        assertTrue(event.path("safeload.library_frame").asText().startsWith(Envelope.class.getName() + ".readObject("),
                event::toString);
    }
}
