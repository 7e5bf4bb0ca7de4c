package dev.safeload.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.deser.DeserializerGate;
import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.model.gate.ModelLoadGate;
import dev.safeload.policy.ModelHook;
import java.util.List;
import org.junit.jupiter.api.Test;

class LibrariesTest {

    /** A class named in ENTRY_HOOKED whose switch case is missing would load unhooked. */
    @Test
    void everyEntryHookedClassHasHooksOnItself() {
        for (String className : Libraries.entryHooked()) {
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

    /**
     * A class whose hooks call only the model gate gets that gate alone before it is edited
     * (Hooks); every other hooked class gets both. A hook classed wrongly as model-only would
     * run edited code that finds no deserializer gate, which checks nothing.
     */
    @Test
    void onlyHooksWhoseBridgeIsTheModelGateCountAsModelOnly() {
        assertEquals(ModelLoadGate.class.getName(), Hooks.MODEL_GATE);
        assertTrue(Hooks.callsOnlyTheModelGate(Libraries.entryHooks("ai.onnxruntime.OrtEnvironment")));
        assertTrue(Hooks.callsOnlyTheModelGate(Libraries.entryHooks("ai.onnxruntime.OrtSession$SessionOptions")));
        assertTrue(Hooks.callsOnlyTheModelGate(
                Libraries.userHooks("com.acme.Store", ModelHook.parseAll("com.acme.Store#load(0)"))));
        assertFalse(Hooks.callsOnlyTheModelGate(List.of()));
        int modelOnly = 0;
        for (String className : Libraries.entryHooked()) {
            List<EntryHook> hooks = Libraries.entryHooks(className);
            boolean only = Hooks.callsOnlyTheModelGate(hooks);
            for (EntryHook hook : hooks) {
                if (only) {
                    assertEquals(ModelLoadGate.class.getName(), hook.bridgeOwner(), hook.toString());
                } else if (hook.bridgeOwner().equals(DeserializerGate.class.getName())
                        || hook.bridgeOwner().startsWith("dev.safeload.deser.")) {
                    assertFalse(only, hook.toString());
                }
            }
            modelOnly += only ? 1 : 0;
        }
        assertTrue(modelOnly > 5, "model-only classes: " + modelOnly);
        assertFalse(Hooks.callsOnlyTheModelGate(Libraries.entryHooks(Libraries.JACKSON_DESERIALIZATION_CONTEXT)));
    }
}
