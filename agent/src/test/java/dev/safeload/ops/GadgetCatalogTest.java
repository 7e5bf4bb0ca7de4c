package dev.safeload.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.policy.Presets;
import java.util.List;
import org.junit.jupiter.api.Test;

class GadgetCatalogTest {

    private final GadgetCatalog catalog = GadgetCatalog.builtIn();

    @Test
    void knowsEveryClassOnTheAgentsDenylist() {
        for (String pattern : Presets.gadgetDeny().patterns()) {
            GadgetCatalog.Match m = catalog.match(pattern);
            assertTrue(m != null && m.refusedByAgent(), pattern);
        }
    }

    @Test
    void knowsBuildingBlocksLibrariesDoSerialize() {
        for (String name : List.of("java.net.URL", "org.apache.commons.collections.keyvalue.TiedMapEntry",
                "org.apache.commons.collections.functors.ChainedTransformer",
                "org.apache.commons.collections4.comparators.TransformingComparator",
                "org.apache.commons.beanutils.BeanComparator", "org.codehaus.groovy.runtime.MethodClosure",
                "org.springframework.core.SerializableTypeWrapper$MethodInvokeTypeProvider",
                "com.rometools.rome.feed.impl.EqualsBean", "com.mchange.v2.c3p0.PoolBackedDataSource",
                "com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl",
                "clojure.inspector.proxy$javax.swing.table.AbstractTableModel$ff19274a")) {
            assertTrue(catalog.match(name) != null, name);
        }
        assertFalse(catalog.match("java.net.URL").refusedByAgent());
        assertEquals("URLDNS: hashCode() resolves the host name, a blind probe", catalog.match("java.net.URL").reason());
    }

    @Test
    void leavesOrdinaryClassesAlone() {
        for (String name : List.of("java.net.URI", "java.util.HashMap", "org.apache.commons.collections.map.HashedMap",
                "weka.classifiers.trees.J48", "com.acme.model.Tree")) {
            assertNull(catalog.match(name), name);
        }
    }

    @Test
    void findsTheBuildingBlocksAPackageWildcardWouldCover() {
        assertEquals(List.of("org.apache.commons.collections.map.LazyMap",
                "org.apache.commons.collections.map.TransformedMap"),
                catalog.patternsInPackage("org.apache.commons.collections.map"));
        assertTrue(catalog.patternsInPackage("clojure.inspector").contains("clojure.inspector.proxy$*"));
        assertTrue(catalog.patternsInPackage("com.sun.syndication.feed.impl").contains("com.sun.syndication.feed.impl.*"));
        assertEquals(List.of(), catalog.patternsInPackage("com.acme.model"));
    }
}
