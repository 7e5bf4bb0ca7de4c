package dev.safeload.instrument.xstream;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * XStream: {@code CachingMapper.realClass(String)}, the top of every {@code XStream}'s mapper
 * chain, which answers a name it has resolved before from its own cache without asking
 * {@link DefaultMapperInstrumentation}'s hook again. So that a class let through in audit mode,
 * or allowed before a JMX mode change, a second attach or a reload tightened the policy, is not
 * read on by a long-lived {@code XStream}, every lookup is judged here, hit or not (protection
 * only goes up at run time).
 */
public final class CachingMapperInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "com.thoughtworks.xstream.mapper.CachingMapper";

    private CachingMapperInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        // self(), not hookedClass(): XStream 1.4's Java 1.4 class files cannot name their own class.
        return List.of(EntryHook.at(TRIGGER, "realClass").descriptor("(Ljava/lang/String;)Ljava/lang/Class;")
                .argument(0).self()
                .throwsReturned("dev.safeload.instrument.xstream.XStreamBridge", "cachedClass"));
    }
}
