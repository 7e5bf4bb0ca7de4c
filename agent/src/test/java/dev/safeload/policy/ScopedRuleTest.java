package dev.safeload.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScopedRuleTest {

    private final SerialPolicy policy = new SerialPolicy(Presets.defaultAllow(), Presets.gadgetDeny(),
            List.of(ScopedRule.parse("java.util.Random@com.acme.cache.**", true),
                    ScopedRule.parse("java.util.HashMap@com.acme.public.*", false)),
            SerialLimits.DEFAULTS);

    @Test
    void allowsAClassOnlyWhenReadUnderItsScope() {
        assertSame(SerialPolicy.SCOPED, policy.decide(java.util.Random.class));
        assertTrue(policy.decideScoped(java.util.Random.class, Set.of("com.acme.cache.Store", "java.io.ObjectInputStream")).allowed());
        assertTrue(policy.decideScoped(java.util.Random.class, Set.of("com.acme.web.Controller")).rejected());
        assertTrue(policy.decideScoped(java.util.Random[].class, Set.of("com.acme.cache.deep.Loader")).allowed());
    }

    @Test
    void deniesAClassOnlyUnderItsScope() {
        assertTrue(policy.decideScoped(java.util.HashMap.class, Set.of("com.acme.public.Api")).rejected());
        assertEquals("serial.deny", policy.decideScoped(java.util.HashMap.class, Set.of("com.acme.public.Api")).rule());
        assertTrue(policy.decideScoped(java.util.HashMap.class, Set.of("com.acme.internal.Job")).allowed());
    }

    @Test
    void neverLetsAScopedAllowOverrideTheGadgetDenylist() {
        SerialPolicy p = new SerialPolicy(Presets.defaultAllow(), Presets.gadgetDeny(),
                List.of(ScopedRule.parse("javax.management.**@com.acme.**", true)), SerialLimits.DEFAULTS);
        assertTrue(p.decideScoped(javax.management.BadAttributeValueExpException.class, Set.of("com.acme.X")).rejected());
        assertTrue(p.decideScoped(javax.management.ObjectName.class, Set.of("com.acme.X")).allowed());
    }

    @Test
    void theJdkScopedAllowsMadeAtFirstUseDecideAsTheRulesMadeAtStart() {
        List<ScopedRule> own = List.of(ScopedRule.parse("java.util.Random@com.acme.cache.**", true));
        List<ScopedRule> eager = new java.util.ArrayList<>(Presets.defaultScopedAllow());
        eager.addAll(own);
        SerialPolicy atStart = new SerialPolicy(Presets.defaultAllow(), Presets.gadgetDeny(), eager, SerialLimits.DEFAULTS);
        SerialPolicy lazy = SerialPolicy.withJdkScoped(Presets.defaultAllow(), Presets.gadgetDeny(), own,
                SerialLimits.DEFAULTS, ClassPatterns.empty());
        // An RMI class a JDK scoped rule names: left to the stack by both, allowed under the
        // JDK's transport, refused elsewhere; a plain class is decided without the stack by both.
        Class<?> lease = java.rmi.dgc.Lease.class;
        assertSame(SerialPolicy.SCOPED, atStart.decide(lease));
        assertSame(SerialPolicy.SCOPED, lazy.decide(lease));
        assertSame(SerialPolicy.SCOPED, lazy.decide(java.util.Random.class));
        assertEquals(atStart.decide(java.util.HashMap.class), lazy.decide(java.util.HashMap.class));
        for (Set<String> frames : List.of(Set.of("sun.rmi.transport.DGCImpl_Skel"), Set.of("com.acme.web.Controller"),
                Set.of("com.acme.cache.Store"))) {
            for (Class<?> type : List.of(lease, java.util.Random.class)) {
                assertEquals(atStart.decideScoped(type, frames).allowed(), lazy.decideScoped(type, frames).allowed(),
                        type + " under " + frames);
            }
        }
        assertEquals(eager.size(), lazy.scopedRules().size());
        for (int i = 0; i < eager.size(); i++) {
            assertEquals(eager.get(i).text(), lazy.scopedRules().get(i).text());
        }
    }

    @Test
    void refusesMalformedScopedEntries() {
        assertThrows(IllegalArgumentException.class, () -> ScopedRule.parse("a.B@", true));
        assertThrows(IllegalArgumentException.class, () -> ScopedRule.parse("a.B@c@d", true));
        assertThrows(IllegalArgumentException.class, () -> ScopedRule.parse("a.B@c.*.d", true));
    }
}
