package dev.safeload.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SerialPolicyTest {

    private final SerialPolicy defaults = new SerialPolicy(Presets.defaultAllow(), Presets.gadgetDeny(), SerialLimits.DEFAULTS);

    @Test
    void allowsJdkValueTypesEnumsAndPrimitiveArraysByDefault() {
        for (Class<?> c : List.of(String.class, Integer.class, java.util.HashMap.class, java.time.Instant.class,
                java.util.UUID.class, java.net.URI.class, int[].class, double[][].class, String[].class,
                TimeUnit.class, java.math.BigDecimal.class)) {
            assertTrue(defaults.decide(c).allowed(), c.getName());
        }
    }

    @Test
    void refusesUrlAndAnythingUnknownByDefault() {
        assertEquals("serial.allow", defaults.decide(java.net.URL.class).rule());
        assertTrue(defaults.decide(java.net.URL.class).rejected());
        assertTrue(defaults.decide(java.net.URL[].class).rejected(), "arrays are judged by component");
        assertTrue(defaults.decide(java.text.SimpleDateFormat.class).rejected());
        assertTrue(defaults.decideName("com.evil.Gadget").rejected());
        assertTrue(defaults.decideName("[[Lcom.evil.Gadget;").rejected());
        assertTrue(defaults.decideName("[I").allowed());
    }

    @Test
    void denyWinsOverAllow() {
        SerialPolicy p = new SerialPolicy(Presets.defaultAllow().plus(ClassPatterns.of(List.of("org.apache.commons.collections.**"))),
                Presets.gadgetDeny(), SerialLimits.DEFAULTS);
        Decision d = p.decideName("org.apache.commons.collections.functors.InvokerTransformer");
        assertTrue(d.rejected());
        assertEquals("serial.deny", d.rule());
        assertTrue(p.decideName("org.apache.commons.collections.map.LazyMap").allowed());
    }

    @Test
    void cachesDecisionsPerClass() {
        assertSame(defaults.decide(java.util.HashMap.class), defaults.decide(java.util.HashMap.class));
    }
}
