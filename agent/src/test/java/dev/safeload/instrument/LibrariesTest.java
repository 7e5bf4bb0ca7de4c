package dev.safeload.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.instrument.edit.EntryHook;
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

    /** A class named in ENTRY_HOOKED whose switch case is missing would load unhooked. */
    @Test
    void everyEntryHookedClassHasHooksOnItself() {
        for (String className : Libraries.ENTRY_HOOKED) {
            List<EntryHook> hooks = Libraries.entryHooks(className);
            assertFalse(hooks.isEmpty(), className);
            for (EntryHook hook : hooks) {
                assertEquals(className, hook.className());
            }
        }
        assertTrue(Libraries.entryHooks("java.lang.String").isEmpty());
    }
}
