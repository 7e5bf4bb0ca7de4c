package dev.safeload.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassPatternsTest {

    @Test
    void matchesExactlyAsTheJdkPatternSyntaxDocuments() {
        ClassPatterns p = ClassPatterns.of(List.of("a.B", "java.*", "com.acme.**", "org.x.Pre*"));
        assertEquals("a.B", p.match("a.B"));
        assertNull(p.match("a.BB"));
        assertEquals("java.*", p.match("java.Foo"));
        assertNull(p.match("java.util.HashMap"), "java.* does not reach subpackages");
        assertNull(p.match("javax.Foo"), "java never matches javax");
        assertEquals("com.acme.**", p.match("com.acme.Dto"));
        assertEquals("com.acme.**", p.match("com.acme.deep.er.Dto"));
        assertNull(p.match("com.acmeevil.Dto"));
        assertNull(p.match("evil.com.acme.Dto"), "no suffix matching");
        assertEquals("org.x.Pre*", p.match("org.x.Prefixed"));
        assertNull(p.match("org.x.Other"));
    }

    @Test
    void exactNamesOfOneLengthAreToldApartAndNoLengthIsOutOfRange() {
        ClassPatterns p = ClassPatterns.of(List.of("a.Bc", "a.Cb", "b.Ac", "x.Longest", "a.**"));
        assertEquals("a.Bc", p.match("a.Bc"));
        assertEquals("a.Cb", p.match("a.Cb"));
        assertEquals("b.Ac", p.match("b.Ac"));
        assertNull(p.match("b.Ca"), "the length of three patterns, the name of none");
        assertEquals("x.Longest", p.match("x.Longest"));
        assertNull(p.match("x.LongestPlus"), "longer than every exact pattern");
        assertNull(p.match("x"), "shorter than every exact pattern");
        assertNull(p.match(""));
        assertEquals("a.**", p.match("a.Longer"), "no exact pattern of its length: the tree still matches");
        assertNull(ClassPatterns.of(List.of("a.**")).match("a"), "no exact patterns at all");
    }

    @Test
    void rejectsPatternsThatCouldBeMisread() {
        assertThrows(IllegalArgumentException.class, () -> ClassPatterns.of(List.of("com.*.Dto")));
        assertThrows(IllegalArgumentException.class, () -> ClassPatterns.of(List.of("java.base/java.lang.*")));
        assertThrows(IllegalArgumentException.class, () -> ClassPatterns.of(List.of("[Ljava.lang.String;")));
        assertThrows(IllegalArgumentException.class, () -> ClassPatterns.of(List.of("a..B")));
        assertThrows(IllegalArgumentException.class, () -> ClassPatterns.of(List.of("a.(B|C)")));
        assertTrue(ClassPatterns.of(List.of()).isEmpty());
    }

    @Test
    void joinsTwoSetsOnceForTheSameArgumentAndAgainForAnother() {
        ClassPatterns base = ClassPatterns.of(List.of("a.B", "c.**"));
        ClassPatterns added = ClassPatterns.of(List.of("d.E", "a.B"));

        ClassPatterns both = base.plus(added);

        assertEquals(List.of("a.B", "c.**", "d.E"), both.patterns());
        assertEquals("d.E", both.match("d.E"));
        assertSame(both, base.plus(added), "the model policy joins the same two lists at every pickle scan");
        ClassPatterns other = ClassPatterns.of(List.of("f.G"));
        ClassPatterns withOther = base.plus(other);
        assertEquals(List.of("a.B", "c.**", "f.G"), withOther.patterns());
        assertNull(withOther.match("d.E"), "a join for one argument is never handed out for another");
        assertNotSame(both, base.plus(ClassPatterns.of(List.of("d.E", "a.B"))), "an equal set that is another object is joined again");
        assertSame(base, base.plus(ClassPatterns.empty()));
    }
}
