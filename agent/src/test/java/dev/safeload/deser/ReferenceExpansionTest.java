package dev.safeload.deser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReferenceExpansionTest {

    @Test
    void countsAPlainObjectOrStringOrNullAsOne() {
        assertEquals(1, ReferenceExpansion.of("text"));
        assertEquals(1, ReferenceExpansion.of(new Object()));
        assertEquals(1, ReferenceExpansion.of(null));
    }

    @Test
    void countsAListAsItselfPlusItsElements() {
        assertEquals(4, ReferenceExpansion.of(List.of("a", "b", "c")));
        assertEquals(1, ReferenceExpansion.of(new ArrayList<>()));
    }

    @Test
    void countsASharedChildOncePerPathThroughIt() {
        List<String> inner = List.of("a", "b");
        // 1 + 2 * (1 + 2)
        assertEquals(7, ReferenceExpansion.of(List.of(inner, inner)));
    }

    @Test
    void countsAMapByItsKeysAndValues() {
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put("k", List.of("x", "y"));
        map.put(List.of("a"), "v");
        // 1 + (1 + 3) + (2 + 1)
        assertEquals(8, ReferenceExpansion.of(map));
        assertEquals(4, ReferenceExpansion.of(Map.entry("k", List.of("x"))));
    }

    @Test
    void countsAnObjectArrayByItsElements() {
        assertEquals(4, ReferenceExpansion.of(new Object[] {"a", null, List.of()}));
    }

    @Test
    void answersTheExactPathCountOfADoublingChainWithoutWalkingEveryPath() {
        // L0 = [a], Lk = [Lk-1, Lk-1]: 3 * 2^k - 1 paths; walked path by path, 2^40 would never end.
        List<Object> level = List.of("a");
        for (int k = 1; k <= 40; k++) {
            level = List.of(level, level);
        }
        assertEquals(3L * (1L << 40) - 1, ReferenceExpansion.of(level));
    }

    @Test
    void measuresTheSerialDosHashSetBombAsTwoToItsDepth() {
        Set<Object> root = new HashSet<>();
        Set<Object> s1 = root;
        Set<Object> s2 = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            Set<Object> t1 = new HashSet<>();
            Set<Object> t2 = new HashSet<>();
            t1.add("foo");
            s1.add(t1);
            s1.add(t2);
            s2.add(t1);
            s2.add(t2);
            s1 = t1;
            s2 = t2;
        }
        long size = ReferenceExpansion.of(root);
        assertEquals(true, size > 1L << 30, "expanded size " + size);
    }

    @Test
    void saturatesInsteadOfOverflowing() {
        List<Object> level = List.of("a");
        for (int k = 1; k <= 70; k++) {
            level = List.of(level, level);
        }
        assertEquals(Long.MAX_VALUE, ReferenceExpansion.of(level));
    }

    @Test
    void countsAnObjectMetAgainInsideItsOwnWalkAsOne() {
        List<Object> self = new ArrayList<>();
        self.add("a");
        self.add(self);
        assertEquals(3, ReferenceExpansion.of(self));
    }

    @Test
    void walksNoCollectionOfAClassOutsideTheJdk() {
        ApplicationList own = new ApplicationList();
        own.add("a");
        own.add("b");
        assertEquals(1, ReferenceExpansion.of(own));
        assertEquals(2, ReferenceExpansion.of(List.of(own)));
    }

    @Test
    void keepsOneBudgetPerDocumentOwnerOnAThread() {
        Object first = new Object();
        Object second = new Object();
        ReferenceBudget a = ReferenceBudget.of(first);
        ReferenceBudget b = ReferenceBudget.of(second);
        assertNotSame(a, b);
        assertSame(a, ReferenceBudget.of(first));
        assertSame(b, ReferenceBudget.of(second));
    }

    /** An application's own collection: iterating it would run its code. */
    static final class ApplicationList extends ArrayList<Object> {
        private static final long serialVersionUID = 1L;
    }
}
