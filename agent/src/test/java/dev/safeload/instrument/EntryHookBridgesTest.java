package dev.safeload.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.instrument.edit.EntryHook;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import net.bytebuddy.jar.asm.Type;

/**
 * Every library hook with an exact descriptor calls a bridge that exists with the parameter
 * types {@code EntryHookEdit} pushes (a reference parameter as {@code Object}): a mismatch would
 * be a {@code NoSuchMethodError} inside the host's library call, found only when that library
 * loads.
 */
class EntryHookBridgesTest {

    @Test
    void everyBridgeExistsWithTheTypesTheEditPushes() throws Exception {
        int checked = 0;
        for (String className : Libraries.entryHooked()) {
            for (EntryHook hook : Libraries.entryHooks(className)) {
                if (hook.descriptor() == null || hook.descriptor().indexOf(')') < 0) {
                    continue; // every overload, or those whose first parameter is given: no fixed types to check
                }
                Type[] parameters = Type.getArgumentTypes(hook.descriptor());
                List<Class<?>> types = new ArrayList<>();
                for (EntryHook.Value value : hook.values()) {
                    if (value.site() != null) {
                        // The call site's answer is handed over; its bootstrap must exist as the JVM calls it.
                        Method bootstrap = Class.forName(value.site().owner()).getMethod(value.site().name(),
                                java.lang.invoke.MethodHandles.Lookup.class, String.class,
                                java.lang.invoke.MethodType.class);
                        assertTrue(Modifier.isStatic(bootstrap.getModifiers()), hook::toString);
                        assertEquals(java.lang.invoke.CallSite.class, bootstrap.getReturnType(), hook::toString);
                        types.add(value.site().returnType().equals("I") ? int.class : Object.class);
                        continue;
                    }
                    if (!value.calls().isEmpty()) {
                        // A getter's answer is handed over: an Object, as for a reference parameter.
                        types.add(Object.class);
                        continue;
                    }
                    types.add(switch (value.kind()) {
                        case CONSTANT, HOOKED_METHOD -> String.class;
                        case SELF -> Object.class;
                        case HOOKED_CLASS -> Class.class;
                        case ARGUMENT -> primitive(parameters[value.index()]);
                    });
                }
                Method bridge = Class.forName(hook.bridgeOwner()).getMethod(hook.bridgeMethod(), types.toArray(Class<?>[]::new));
                assertTrue(Modifier.isStatic(bridge.getModifiers()), hook::toString);
                if (hook.outcome() == EntryHook.Outcome.THROW_RETURNED) {
                    assertEquals(Throwable.class, bridge.getReturnType(), hook::toString);
                }
                checked++;
            }
        }
        assertTrue(checked >= 20, "hooks checked: " + checked);
    }

    private static Class<?> primitive(Type type) {
        return switch (type.getSort()) {
            case Type.BOOLEAN -> boolean.class;
            case Type.BYTE -> byte.class;
            case Type.CHAR -> char.class;
            case Type.SHORT -> short.class;
            case Type.INT -> int.class;
            case Type.LONG -> long.class;
            case Type.FLOAT -> float.class;
            case Type.DOUBLE -> double.class;
            default -> Object.class;
        };
    }
}
