package dev.safeload.instrument;

import dev.safeload.instrument.custom.UserHookInstrumentation;
import dev.safeload.instrument.djl.CriteriaInstrumentation;
import dev.safeload.instrument.djl.ModelLoadInstrumentation;
import dev.safeload.instrument.dl4j.ModelSerializerInstrumentation;
import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.instrument.h2o.MojoModelInstrumentation;
import dev.safeload.instrument.h2o.MojoReaderBackendFactoryInstrumentation;
import dev.safeload.instrument.hessian.ClassDeserializerInstrumentation;
import dev.safeload.instrument.hessian.DeserializerLengthInstrumentation;
import dev.safeload.instrument.hessian.Hessian2InputInstrumentation;
import dev.safeload.instrument.hessian.SerializerFactoryInstrumentation;
import dev.safeload.instrument.kryo.CollectionSerializerInstrumentation;
import dev.safeload.instrument.kryo.DefaultClassResolverInstrumentation;
import dev.safeload.instrument.kryo.InputInstrumentation;
import dev.safeload.instrument.kryo.KryoInstrumentation;
import dev.safeload.instrument.kryo.ReferenceResolverInstrumentation;
import dev.safeload.instrument.pyrolite.PickleUtilsInstrumentation;
import dev.safeload.instrument.pyrolite.UnpicklerInstrumentation;
import dev.safeload.instrument.jackson.ClassNameIdResolverInstrumentation;
import dev.safeload.instrument.jackson.ClassValueInstrumentation;
import dev.safeload.instrument.jackson.TypeDeserializerBaseInstrumentation;
import dev.safeload.instrument.jpmml.JAXBSerializerInstrumentation;
import dev.safeload.instrument.jpmml.LoadingModelEvaluatorBuilderInstrumentation;
import dev.safeload.instrument.jpmml.PMMLUtilInstrumentation;
import dev.safeload.instrument.onnxruntime.OrtEnvironmentInstrumentation;
import dev.safeload.instrument.onnxruntime.SessionOptionsInstrumentation;
import dev.safeload.instrument.snakeyaml.BaseConstructorInstrumentation;
import dev.safeload.instrument.snakeyaml.ConstructorInstrumentation;
import dev.safeload.instrument.tensorflow.SavedModelBundleInstrumentation;
import dev.safeload.instrument.tensorflow.TensorFlowLibraryInstrumentation;
import dev.safeload.instrument.weka.SerializationHelperInstrumentation;
import dev.safeload.instrument.xgboost.BoosterInstrumentation;
import dev.safeload.instrument.xstream.CachingMapperInstrumentation;
import dev.safeload.instrument.xstream.DefaultMapperInstrumentation;
import dev.safeload.instrument.xstream.ReferenceUnmarshallerInstrumentation;
import dev.safeload.policy.ModelHook;
import java.util.ArrayList;
import java.util.List;

/**
 * The model libraries the agent hooks, each with {@link EntryHook}s. The hooked classes are
 * compile-time constants, so premain learns what to watch for without loading a single
 * instrumentation class; a library's instrumentation class loads only when its class does.
 */
public final class Libraries {

    /**
     * Jackson's type-id resolver, built at run time: the shade plugin rewrites string constants
     * starting {@code com.fasterxml.jackson} to the agent's relocated copy (see
     * {@link ClassNameIdResolverInstrumentation}), and a switch would compare compile-time hashes.
     */
    static final String JACKSON_CLASS_NAME_ID_RESOLVER =
            "com.".concat("fasterxml.jackson.databind.jsontype.impl.ClassNameIdResolver");

    /** Jackson's polymorphic deserializers' base, where their type-id cache is asked; built at run time likewise. */
    static final String JACKSON_TYPE_DESERIALIZER_BASE =
            "com.".concat("fasterxml.jackson.databind.jsontype.impl.TypeDeserializerBase");

    /** Jackson's context and from-string deserializer, where {@code Class} and {@code JavaType} values are resolved; built at run time likewise. */
    static final String JACKSON_DESERIALIZATION_CONTEXT = "com.".concat("fasterxml.jackson.databind.DeserializationContext");
    static final String JACKSON_FROM_STRING_STD =
            "com.".concat("fasterxml.jackson.databind.deser.std.FromStringDeserializer$Std");

    /**
     * The classes that get {@link EntryHook}s when they load, as constants; a name ending in '.'
     * is a package whose classes are tested for the supertype of a hook on subtypes.
     */
    static final String[] ENTRY_HOOKED = { // never written; an array: Hooks reads it at premain, List.of checks each name
            OrtEnvironmentInstrumentation.TRIGGER,
            SessionOptionsInstrumentation.TRIGGER,
            CriteriaInstrumentation.TRIGGER,
            ModelLoadInstrumentation.TRIGGER,
            SavedModelBundleInstrumentation.TRIGGER,
            TensorFlowLibraryInstrumentation.TRIGGER,
            SerializationHelperInstrumentation.TRIGGER,
            MojoModelInstrumentation.TRIGGER,
            MojoReaderBackendFactoryInstrumentation.TRIGGER,
            BoosterInstrumentation.TRIGGER,
            PMMLUtilInstrumentation.TRIGGER,
            LoadingModelEvaluatorBuilderInstrumentation.TRIGGER,
            JAXBSerializerInstrumentation.TRIGGER,
            ModelSerializerInstrumentation.TRIGGER,
            DefaultClassResolverInstrumentation.TRIGGER,
            KryoInstrumentation.TRIGGER,
            InputInstrumentation.TRIGGER,
            InputInstrumentation.BYTE_BUFFER_INPUT,
            InputInstrumentation.UNSAFE_INPUT,
            InputInstrumentation.UNSAFE_BYTE_BUFFER_INPUT,
            CollectionSerializerInstrumentation.TRIGGER,
            CollectionSerializerInstrumentation.MAP_TRIGGER,
            CollectionSerializerInstrumentation.PRIORITY_QUEUE,
            CollectionSerializerInstrumentation.IMMUTABLE_LIST,
            CollectionSerializerInstrumentation.OBJECT_ARRAY,
            CollectionSerializerInstrumentation.STRING_ARRAY,
            SerializerFactoryInstrumentation.TRIGGER,
            ClassDeserializerInstrumentation.TRIGGER,
            PickleUtilsInstrumentation.TRIGGER,
            UnpicklerInstrumentation.TRIGGER,
            UnpicklerInstrumentation.SET_CONSTRUCTOR,
            UnpicklerInstrumentation.ANY_CLASS_CONSTRUCTOR,
            ConstructorInstrumentation.TRIGGER,
            ConstructorInstrumentation.CUSTOM_LOADER_TRIGGER,
            BaseConstructorInstrumentation.TRIGGER,
            JACKSON_CLASS_NAME_ID_RESOLVER,
            DefaultMapperInstrumentation.TRIGGER,
            JACKSON_TYPE_DESERIALIZER_BASE,
            CachingMapperInstrumentation.TRIGGER,
            JACKSON_DESERIALIZATION_CONTEXT,
            JACKSON_FROM_STRING_STD,
            ReferenceUnmarshallerInstrumentation.TRIGGER,
            ReferenceUnmarshallerInstrumentation.XPATH,
            ReferenceUnmarshallerInstrumentation.ID,
            ReferenceUnmarshallerInstrumentation.TREE,
            ReferenceResolverInstrumentation.MAP_TRIGGER,
            ReferenceResolverInstrumentation.LIST_TRIGGER,
            Hessian2InputInstrumentation.TRIGGER,
            Hessian2InputInstrumentation.V1,
            DeserializerLengthInstrumentation.ARRAY,
            DeserializerLengthInstrumentation.BASIC,
            DeserializerLengthInstrumentation.ABSTRACT,
            DeserializerLengthInstrumentation.JAVA,
            DeserializerLengthInstrumentation.UNSAFE};

    /** {@link #ENTRY_HOOKED}, as a list. */
    public static List<String> entryHooked() {
        return List.of(ENTRY_HOOKED);
    }

    private Libraries() {
    }

    /**
     * The built-in entry hooks that may go on the class {@code className} (or, for a package
     * named in {@link #ENTRY_HOOKED}, on its classes): none for any other class. Hooks on
     * subtypes still need their supertype test.
     */
    public static List<EntryHook> entryHooks(String className) {
        List<EntryHook> exact = switch (className) {
            case OrtEnvironmentInstrumentation.TRIGGER -> OrtEnvironmentInstrumentation.hooks();
            case SessionOptionsInstrumentation.TRIGGER -> SessionOptionsInstrumentation.hooks();
            case CriteriaInstrumentation.TRIGGER -> CriteriaInstrumentation.hooks();
            case SavedModelBundleInstrumentation.TRIGGER -> SavedModelBundleInstrumentation.hooks();
            case TensorFlowLibraryInstrumentation.TRIGGER -> TensorFlowLibraryInstrumentation.hooks();
            case SerializationHelperInstrumentation.TRIGGER -> SerializationHelperInstrumentation.hooks();
            case DefaultClassResolverInstrumentation.TRIGGER -> DefaultClassResolverInstrumentation.hooks();
            case KryoInstrumentation.TRIGGER -> KryoInstrumentation.hooks();
            case InputInstrumentation.TRIGGER, InputInstrumentation.BYTE_BUFFER_INPUT, InputInstrumentation.UNSAFE_INPUT,
                    InputInstrumentation.UNSAFE_BYTE_BUFFER_INPUT -> InputInstrumentation.hooks(className);
            case CollectionSerializerInstrumentation.TRIGGER, CollectionSerializerInstrumentation.MAP_TRIGGER,
                    CollectionSerializerInstrumentation.PRIORITY_QUEUE, CollectionSerializerInstrumentation.IMMUTABLE_LIST,
                    CollectionSerializerInstrumentation.OBJECT_ARRAY, CollectionSerializerInstrumentation.STRING_ARRAY ->
                    CollectionSerializerInstrumentation.hooks(className);
            case SerializerFactoryInstrumentation.TRIGGER -> SerializerFactoryInstrumentation.hooks();
            case ClassDeserializerInstrumentation.TRIGGER -> ClassDeserializerInstrumentation.hooks();
            case PickleUtilsInstrumentation.TRIGGER -> PickleUtilsInstrumentation.hooks();
            case UnpicklerInstrumentation.TRIGGER, UnpicklerInstrumentation.SET_CONSTRUCTOR,
                    UnpicklerInstrumentation.ANY_CLASS_CONSTRUCTOR ->
                    UnpicklerInstrumentation.hooks(className);
            case ConstructorInstrumentation.TRIGGER, ConstructorInstrumentation.CUSTOM_LOADER_TRIGGER ->
                    ConstructorInstrumentation.hooks(className);
            case BaseConstructorInstrumentation.TRIGGER -> BaseConstructorInstrumentation.hooks();
            case MojoModelInstrumentation.TRIGGER -> MojoModelInstrumentation.hooks();
            case MojoReaderBackendFactoryInstrumentation.TRIGGER -> MojoReaderBackendFactoryInstrumentation.hooks();
            case BoosterInstrumentation.TRIGGER -> BoosterInstrumentation.hooks();
            case PMMLUtilInstrumentation.TRIGGER -> PMMLUtilInstrumentation.hooks();
            case LoadingModelEvaluatorBuilderInstrumentation.TRIGGER -> LoadingModelEvaluatorBuilderInstrumentation.hooks();
            case JAXBSerializerInstrumentation.TRIGGER -> JAXBSerializerInstrumentation.hooks();
            case ModelSerializerInstrumentation.TRIGGER -> ModelSerializerInstrumentation.hooks();
            case DefaultMapperInstrumentation.TRIGGER -> DefaultMapperInstrumentation.hooks();
            case CachingMapperInstrumentation.TRIGGER -> CachingMapperInstrumentation.hooks();
            case ReferenceUnmarshallerInstrumentation.TRIGGER, ReferenceUnmarshallerInstrumentation.XPATH,
                    ReferenceUnmarshallerInstrumentation.ID, ReferenceUnmarshallerInstrumentation.TREE ->
                    ReferenceUnmarshallerInstrumentation.hooks(className);
            case ReferenceResolverInstrumentation.MAP_TRIGGER, ReferenceResolverInstrumentation.LIST_TRIGGER ->
                    ReferenceResolverInstrumentation.hooks(className);
            case Hessian2InputInstrumentation.TRIGGER, Hessian2InputInstrumentation.V1 ->
                    Hessian2InputInstrumentation.hooks(className);
            case DeserializerLengthInstrumentation.ARRAY, DeserializerLengthInstrumentation.BASIC,
                    DeserializerLengthInstrumentation.ABSTRACT, DeserializerLengthInstrumentation.JAVA,
                    DeserializerLengthInstrumentation.UNSAFE -> DeserializerLengthInstrumentation.hooks(className);
            default -> className.equals(JACKSON_CLASS_NAME_ID_RESOLVER) ? ClassNameIdResolverInstrumentation.hooks()
                    : className.equals(JACKSON_TYPE_DESERIALIZER_BASE) ? TypeDeserializerBaseInstrumentation.hooks()
                    : className.equals(JACKSON_DESERIALIZATION_CONTEXT) || className.equals(JACKSON_FROM_STRING_STD)
                    ? ClassValueInstrumentation.hooks(className)
                    : List.of();
        };
        if (!className.startsWith(ModelLoadInstrumentation.TRIGGER)) {
            return exact;
        }
        List<EntryHook> all = new ArrayList<>(exact);
        all.addAll(ModelLoadInstrumentation.hooks());
        return all;
    }

    /** The entry hooks of the policy's {@code model.hooks} on {@code className}. */
    public static List<EntryHook> userHooks(String className, List<ModelHook> userHooks) {
        List<EntryHook> hooks = new ArrayList<>();
        for (ModelHook hook : userHooks) {
            if (hook.className().equals(className)) {
                hooks.add(UserHookInstrumentation.hook(hook));
            }
        }
        return hooks;
    }
}
