package dev.safeload.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PrintableTest {

    @Test
    void escapesLineBreaksTerminalEscapesAndBidiOverrides() {
        assertEquals("a\\u000aserial.allow=**", Printable.text("a\nserial.allow=**"));
        assertEquals("\\u001b[2Jx", Printable.text("\u001b[2Jx"));
        assertEquals("com.acme.\\u202eFoo", Printable.text("com.acme.\u202eFoo"));
        assertEquals("a\\u2028b", Printable.text("a\u2028b"));
    }

    @Test
    void leavesOrdinaryTextUntouched() {
        String s = "com.acme.Model$Node(Model.java:12) Übergröße";
        assertSame(s, Printable.text(s));
    }

    @Test
    void acceptsOnlyBinaryClassNamesForAPolicy() {
        assertTrue(ClassNames.isBinaryName("com.acme.Model$Node"));
        assertTrue(ClassNames.isBinaryName("NoPackage"));
        assertTrue(ClassNames.isBinaryName("com.acme.Größe"));
        assertFalse(ClassNames.isBinaryName("com.acme.Foo\nserial.allow=**"));
        assertFalse(ClassNames.isBinaryName("com.acme.*"));
        assertFalse(ClassNames.isBinaryName("com..Foo"));
        assertFalse(ClassNames.isBinaryName("com.acme."));
        assertFalse(ClassNames.isBinaryName("com.acme.Foo$$Lambda$14/0x0000000800c03000"));
        assertFalse(ClassNames.isBinaryName("com.acme.\u0000Foo"));
        assertFalse(ClassNames.isBinaryName("com.acme.\u202eFoo"));
        assertFalse(ClassNames.isBinaryName("1com.Foo"));
    }

    @Test
    void readsArrayNamesAsTheirComponent() {
        assertEquals("com.acme.Leaf", ClassNames.component("[[Lcom.acme.Leaf;"));
        assertEquals("com.acme.Leaf", ClassNames.component("com.acme.Leaf"));
        assertNull(ClassNames.component("[I"));
        assertNull(ClassNames.component("[Lbroken"));
    }
}
