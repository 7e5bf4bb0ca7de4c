package dev.safeload.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelHookTest {

    @Test
    void parsesClassMethodAndArgumentIndex() {
        assertEquals(List.of(new ModelHook("com.acme.ModelStore", "load", 0), new ModelHook("a.B$Inner", "read", 2)),
                ModelHook.parseAll("com.acme.ModelStore#load(0); a.B$Inner#read(2)"));
        assertEquals(List.of(), ModelHook.parseAll(""));
    }

    @Test
    void refusesHooksThatCannotBeResolved() {
        for (String bad : new String[] {"com.acme.ModelStore#load", "com.acme.ModelStore.load(0)", "#load(0)",
            "com.acme.ModelStore#load(x)", "com.acme.ModelStore#(0)"}) {
            assertThrows(IllegalArgumentException.class, () -> ModelHook.parseAll(bad), bad);
        }
    }
}
