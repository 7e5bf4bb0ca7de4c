package dev.safeload.instrument.xmldecoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import dev.safeload.policy.Policy;
import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The method rule alone: what XMLEncoder writes runs by default, anything else only when listed. */
class XmlDecoderMembersTest {

    /** A bean with one property, one method that is no accessor, and a static factory. */
    public static class Bean {
        private String name;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public void launch() {
        }

        public static Bean of(String name) {
            return new Bean();
        }
    }

    private static Policy policy(String options) throws Exception {
        return PolicyCompiler.compile(Settings.resolve(options, new Properties(), Map.of()));
    }

    @Test
    void allowsTheAccessorsAndCollectionCallsXmlEncoderWrites() throws Exception {
        Policy p = policy("");
        assertTrue(XmlDecoderMembers.instanceMethod(p, Bean.class, "setName").allowed());
        assertTrue(XmlDecoderMembers.instanceMethod(p, Bean.class, "getName").allowed());
        assertTrue(XmlDecoderMembers.property(p, Bean.class, "name", true).allowed());
        assertTrue(XmlDecoderMembers.instanceMethod(p, ArrayList.class, "add").allowed());
        assertTrue(XmlDecoderMembers.instanceMethod(p, ArrayList.class, "set").allowed());
        assertTrue(XmlDecoderMembers.instanceMethod(p, HashSet.class, "add").allowed());
        assertTrue(XmlDecoderMembers.instanceMethod(p, HashMap.class, "put").allowed());
        assertTrue(XmlDecoderMembers.instanceMethod(p, String[].class, "set").allowed());
        assertTrue(XmlDecoderMembers.staticMethod(p, Enum.class, "valueOf").allowed());
    }

    @Test
    void refusesEverythingElseUntilListedExactly() throws Exception {
        Policy p = policy("");
        assertFalse(XmlDecoderMembers.instanceMethod(p, Bean.class, "launch").allowed());
        assertFalse(XmlDecoderMembers.instanceMethod(p, Bean.class, "getClass").allowed());
        assertFalse(XmlDecoderMembers.property(p, Bean.class, "class", false).allowed());
        assertFalse(XmlDecoderMembers.staticMethod(p, Bean.class, "of").allowed());
        assertFalse(XmlDecoderMembers.instanceMethod(p, HashSet.class, "put").allowed());
        assertFalse(XmlDecoderMembers.instanceMethod(p, File.class, "createNewFile").allowed());
        assertEquals("xmldecoder.allowMethods", XmlDecoderMembers.instanceMethod(p, Bean.class, "launch").rule());

        String bean = Bean.class.getName();
        Policy listed = policy("xmldecoder.allowMethods=" + bean + ".launch;" + bean + ".of");
        assertTrue(XmlDecoderMembers.instanceMethod(listed, Bean.class, "launch").allowed());
        assertTrue(XmlDecoderMembers.staticMethod(listed, Bean.class, "of").allowed());
        assertFalse(XmlDecoderMembers.instanceMethod(listed, File.class, "launch").allowed(), "the class is part of the entry");
    }
}
