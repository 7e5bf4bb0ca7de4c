package dev.safeload.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.policy.ModelHook;
import java.util.List;
import org.junit.jupiter.api.Test;

class LibrariesTest {

    /** A class named in ENTRY_HOOKED whose switch case is missing would load unhooked. */
    @Test
    void everyEntryHookedClassHasHooksOnItself() {
        for (String className : Libraries.ENTRY_HOOKED) {
            List<EntryHook> hooks = Libraries.entryHooks(className);
            assertFalse(hooks.isEmpty(), className);
            for (EntryHook hook : hooks) {
                assertTrue(hook.className().equals(className) || hook.mayApplyTo(className), hook + " on " + className);
            }
        }
        assertTrue(Libraries.entryHooks("java.lang.String").isEmpty());
    }

    @Test
    void djlEngineModelsGetTheSubtypeHookAndCriteriaItsOwnToo() {
        List<EntryHook> engine = Libraries.entryHooks("ai.djl.pytorch.engine.PtModel");
        assertEquals(1, engine.size(), engine.toString());
        assertEquals("ai.djl.Model", engine.get(0).supertype());
        List<EntryHook> criteria = Libraries.entryHooks("ai.djl.repository.zoo.Criteria");
        assertEquals(List.of("loadModel", "load"), criteria.stream().map(EntryHook::method).toList());
    }

    @Test
    void userHooksGoOnlyOnTheClassTheyName() {
        List<ModelHook> declared = ModelHook.parseAll("com.acme.Store#load(0);com.acme.Other#read(1)");
        List<EntryHook> store = Libraries.userHooks("com.acme.Store", declared);
        assertEquals(1, store.size());
        assertEquals("com.acme.Store.load", store.get(0).toString());
        assertEquals(EntryHook.Outcome.REPLACE_ARGUMENT, store.get(0).outcome());
        assertTrue(Libraries.userHooks("com.acme.Elsewhere", declared).isEmpty());
    }
}
