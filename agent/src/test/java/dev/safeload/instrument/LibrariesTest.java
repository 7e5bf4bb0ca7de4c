package dev.safeload.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.safeload.policy.ModelHook;
import java.util.List;
import org.junit.jupiter.api.Test;

class LibrariesTest {

    /** A trigger missing from the constants would leave its library unhooked, silently. */
    @Test
    void triggersAreTheInstrumentationsOwn() {
        List<ModelHook> userHooks = ModelHook.parseAll("com.acme.Store#load(0)");
        List<String> fromInstances = Libraries.create(userHooks).stream().map(TypeInstrumentation::trigger).toList();
        assertEquals(fromInstances, Libraries.triggers(userHooks));
        assertEquals("com.acme.Store", fromInstances.get(fromInstances.size() - 1));
    }
}
