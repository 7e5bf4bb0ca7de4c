package dev.safeload.instrument.xmldecoder;

import dev.safeload.policy.Decision;
import dev.safeload.policy.Policy;
import java.beans.IndexedPropertyDescriptor;
import java.beans.IntrospectionException;
import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which members of an allowed class an XMLDecoder document may use: by default what
 * {@code XMLEncoder} writes for beans and collections (public constructors, the JavaBeans
 * property accessors the {@code Introspector} finds, {@code add} on a collection, {@code put} on
 * a map, indexed {@code get}/{@code set} on a list or array, {@code Enum.valueOf} for an enum
 * constant, reads of public fields) and otherwise only the exact {@code Class.method} entries of
 * {@code xmldecoder.allowMethods}. The class itself must pass the policy first. Every known
 * XMLDecoder attack is a call outside that set on a class the document picks
 * ({@code ProcessBuilder.start}, {@code FileOutputStream.write}, {@code Runtime.exec}).
 */
final class XmlDecoderMembers {

    static final String RULE = "xmldecoder.allowMethods";

    private static final Decision ALLOWED = Decision.allow(RULE, "default");
    private static final Decision NOT_LISTED = Decision.reject(RULE, "not in the allowlist");

    /**
     * The property accessor names of each class, as the decoder's own {@code Introspector} sees
     * them, without {@code getClass} (a property of every object, which XMLEncoder never writes).
     */
    private static final ClassValue<Set<String>> ACCESSORS = new ClassValue<>() {
        @Override
        protected Set<String> computeValue(Class<?> type) {
            Set<String> names = new HashSet<>();
            try {
                for (PropertyDescriptor pd : Introspector.getBeanInfo(type, Object.class).getPropertyDescriptors()) {
                    add(names, pd.getReadMethod());
                    add(names, pd.getWriteMethod());
                    if (pd instanceof IndexedPropertyDescriptor ipd) {
                        add(names, ipd.getIndexedReadMethod());
                        add(names, ipd.getIndexedWriteMethod());
                    }
                }
            } catch (IntrospectionException | RuntimeException e) {
                // no bean information: no accessors beyond what is listed
            }
            return Set.copyOf(names);
        }

        private void add(Set<String> names, Method method) {
            if (method != null) {
                names.add(method.getName());
            }
        }
    };

    private XmlDecoderMembers() {
    }

    /** A method called on an object of the allowed class {@code type}. */
    static Decision instanceMethod(Policy policy, Class<?> type, String name) {
        if (type.isArray() && (name.equals("get") || name.equals("set"))) {
            return ALLOWED; // <void index="i"> on an array: Array.get / Array.set
        }
        if (Collection.class.isAssignableFrom(type) && name.equals("add")
                || Map.class.isAssignableFrom(type) && name.equals("put")
                || List.class.isAssignableFrom(type) && (name.equals("get") || name.equals("set"))) {
            return ALLOWED;
        }
        return ACCESSORS.get(type).contains(name) ? ALLOWED : listed(policy, type, name);
    }

    /**
     * A static method, or a method of {@code Class} called on the class object: only listed
     * ones, and {@code Enum.valueOf}, XMLEncoder's form for an enum constant, whose class
     * argument the decoder looked up, and so checked, as a {@code <class>} element.
     */
    static Decision staticMethod(Policy policy, Class<?> type, String name) {
        return type == Enum.class && name.equals("valueOf") ? ALLOWED : listed(policy, type, name);
    }

    /** {@code <void property="p">}: an accessor of that property (plain or indexed); else only a listed one. */
    static Decision property(Policy policy, Class<?> type, String property, boolean write) {
        if (property.isEmpty()) {
            return NOT_LISTED;
        }
        String suffix = Character.toUpperCase(property.charAt(0)) + property.substring(1);
        Set<String> accessors = ACCESSORS.get(type);
        if (accessors.contains("get" + suffix) || accessors.contains("set" + suffix)
                || accessors.contains("is" + suffix)) {
            return ALLOWED;
        }
        return listed(policy, type, (write ? "set" : "get") + suffix);
    }

    /** Only an exact {@code Class.member} entry of {@code xmldecoder.allowMethods}. */
    static Decision listed(Policy policy, Class<?> type, String member) {
        return policy != null && policy.xmlDecoderMethods().contains(type.getName() + "." + member)
                ? Decision.allow(RULE, type.getName() + "." + member) : NOT_LISTED;
    }
}
