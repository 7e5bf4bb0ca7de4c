package dev.safeload.deser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The call site the Jackson hook reads a typed value's depth through
 * ({@link JacksonTypedDepth#nestingDepth}), linked here as the hooked class links it: the
 * parser's depth during a read, the reflective reading's answer, 0 where there is no parser, and
 * {@link JacksonTypedDepth#UNKNOWN_DEPTH} for a Jackson without {@code getNestingDepth}.
 */
class JacksonTypedDepthTest {

    private static MethodHandle site(Class<?> context) {
        return JacksonTypedDepth.nestingDepth(MethodHandles.lookup(), "nestingDepth",
                MethodType.methodType(int.class, context)).dynamicInvoker();
    }

    /** What the site and the reflective reading answered, and what the parser said, inside a read. */
    static final List<int[]> SEEN = new ArrayList<>();

    public static class Probe {
        @JsonDeserialize(using = ProbeReader.class)
        public Object value;
        public Probe inner;
    }

    public static class ProbeReader extends JsonDeserializer<Object> {
        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            try {
                SEEN.add(new int[] {(int) site(DeserializationContext.class).invokeExact(ctxt),
                        JacksonTypedDepth.depth(ctxt), p.getParsingContext().getNestingDepth()});
            } catch (Throwable e) {
                throw new IOException(e);
            }
            return p.getValueAsString();
        }
    }

    @Test
    void readsTheParsersDepthDuringARead() throws Exception {
        SEEN.clear();
        new ObjectMapper().readValue("{\"value\":\"a\",\"inner\":{\"inner\":{\"value\":\"b\"}}}", Probe.class);

        assertEquals(2, SEEN.size());
        assertEquals(List.of(1, 1, 1), List.of(SEEN.get(0)[0], SEEN.get(0)[1], SEEN.get(0)[2]));
        assertEquals(List.of(3, 3, 3), List.of(SEEN.get(1)[0], SEEN.get(1)[1], SEEN.get(1)[2]));
    }

    @Test
    void answersZeroWithoutAContextOrAParserInsteadOfThrowing() throws Throwable {
        MethodHandle depth = site(DeserializationContext.class);
        assertEquals(0, (int) depth.invokeExact((DeserializationContext) null));
        // The mapper's blueprint context has no parser: getParser() is null.
        DeserializationContext blueprint = new ObjectMapper().getDeserializationContext();
        assertEquals(null, blueprint.getParser());
        assertEquals(0, (int) depth.invokeExact(blueprint));
        assertEquals(0, JacksonTypedDepth.depth(blueprint));
    }

    public static class OldContext {
        public OldParser getParser() {
            return new OldParser();
        }
    }

    public static class OldParser {
        /** A parsing context with getParent() but no getNestingDepth(), as before Jackson 2.15. */
        public Object getParsingContext() {
            return new Object();
        }
    }

    @Test
    void leavesTheDepthToTheBridgeWhereAGetterIsMissing() throws Throwable {
        assertEquals(JacksonTypedDepth.UNKNOWN_DEPTH, (int) site(OldContext.class).invokeExact(new OldContext()));
        assertEquals(JacksonTypedDepth.UNKNOWN_DEPTH, (int) site(Object.class).invokeExact(new Object()));
    }
}
