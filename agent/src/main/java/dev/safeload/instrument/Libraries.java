package dev.safeload.instrument;

import dev.safeload.instrument.custom.UserHookInstrumentation;
import dev.safeload.instrument.djl.CriteriaInstrumentation;
import dev.safeload.instrument.djl.ModelLoadInstrumentation;
import dev.safeload.instrument.dl4j.ModelSerializerInstrumentation;
import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.instrument.h2o.MojoModelInstrumentation;
import dev.safeload.instrument.jackson.ClassNameIdResolverInstrumentation;
import dev.safeload.instrument.jackson.TypeDeserializerBaseInstrumentation;
import dev.safeload.instrument.jpmml.JAXBSerializerInstrumentation;
import dev.safeload.instrument.jpmml.LoadingModelEvaluatorBuilderInstrumentation;
import dev.safeload.instrument.jpmml.PMMLUtilInstrumentation;
import dev.safeload.instrument.h2o.MojoReaderBackendFactoryInstrumentation;
import dev.safeload.instrument.onnxruntime.OrtEnvironmentInstrumentation;
import dev.safeload.instrument.onnxruntime.SessionOptionsInstrumentation;
import dev.safeload.instrument.snakeyaml.BaseConstructorInstrumentation;
import dev.safeload.instrument.snakeyaml.ConstructorInstrumentation;
import dev.safeload.instrument.tensorflow.SavedModelBundleInstrumentation;
import dev.safeload.instrument.tensorflow.TensorFlowLibraryInstrumentation;
import dev.safeload.instrument.weka.SerializationHelperInstrumentation;
import dev.safeload.instrument.xgboost.BoosterInstrumentation;
import dev.safeload.policy.ModelHook;
import java.util.ArrayList;
import java.util.List;

/**
 * The model libraries the agent hooks. Their triggers are compile-time constants, so premain
 * learns what to watch for without loading a single instrumentation class (each one would
 * load Byte Buddy types to be verified); the instrumentations are made when Byte Buddy starts.
 */
public final class Libraries {

    /** The built-in instrumentations' triggers, in the order of {@link #create}. */
    public static final List<String> BUILT_IN_TRIGGERS = List.of(
            OrtEnvironmentInstrumentation.TRIGGER,
            SessionOptionsInstrumentation.TRIGGER,
            CriteriaInstrumentation.TRIGGER,
            ModelLoadInstrumentation.TRIGGER,
            SavedModelBundleInstrumentation.TRIGGER,
            TensorFlowLibraryInstrumentation.TRIGGER,
            MojoModelInstrumentation.TRIGGER,
            MojoReaderBackendFactoryInstrumentation.TRIGGER,
            BoosterInstrumentation.TRIGGER,
            PMMLUtilInstrumentation.TRIGGER,
            LoadingModelEvaluatorBuilderInstrumentation.TRIGGER,
            JAXBSerializerInstrumentation.TRIGGER,
            ModelSerializerInstrumentation.TRIGGER);

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

    /**
     * The classes that get {@link EntryHook}s when they load, as constants: {@link #entryHooks}
     * loads a library's instrumentation class only when that library's class loads.
     */
    public static final List<String> ENTRY_HOOKED = List.of(
            SerializationHelperInstrumentation.TRIGGER,
            ConstructorInstrumentation.TRIGGER,
            ConstructorInstrumentation.CUSTOM_LOADER_TRIGGER,
            BaseConstructorInstrumentation.TRIGGER,
            JACKSON_CLASS_NAME_ID_RESOLVER,
            JACKSON_TYPE_DESERIALIZER_BASE);

    private Libraries() {
    }

    /** The entry hooks of one class named in {@link #ENTRY_HOOKED}; none for any other. */
    public static List<EntryHook> entryHooks(String className) {
        return switch (className) {
            case SerializationHelperInstrumentation.TRIGGER -> SerializationHelperInstrumentation.hooks();
            case ConstructorInstrumentation.TRIGGER, ConstructorInstrumentation.CUSTOM_LOADER_TRIGGER ->
                    ConstructorInstrumentation.hooks(className);
            case BaseConstructorInstrumentation.TRIGGER -> BaseConstructorInstrumentation.hooks();
            default -> className.equals(JACKSON_CLASS_NAME_ID_RESOLVER) ? ClassNameIdResolverInstrumentation.hooks()
                    : className.equals(JACKSON_TYPE_DESERIALIZER_BASE) ? TypeDeserializerBaseInstrumentation.hooks()
                    : List.of();
        };
    }

    /** Every trigger: the built-in ones, then each user hook's class. */
    public static List<String> triggers(List<ModelHook> userHooks) {
        List<String> triggers = new ArrayList<>(BUILT_IN_TRIGGERS);
        for (ModelHook hook : userHooks) {
            triggers.add(hook.className());
        }
        return triggers;
    }

    /** The instrumentations, in the order of {@link #triggers}. */
    public static List<TypeInstrumentation> create(List<ModelHook> userHooks) {
        List<TypeInstrumentation> all = new ArrayList<>(List.of(
                new OrtEnvironmentInstrumentation(),
                new SessionOptionsInstrumentation(),
                new CriteriaInstrumentation(),
                new ModelLoadInstrumentation(),
                new SavedModelBundleInstrumentation(),
                new TensorFlowLibraryInstrumentation(),
                new MojoModelInstrumentation(),
                new MojoReaderBackendFactoryInstrumentation(),
                new BoosterInstrumentation(),
                new PMMLUtilInstrumentation(),
                new LoadingModelEvaluatorBuilderInstrumentation(),
                new JAXBSerializerInstrumentation(),
                new ModelSerializerInstrumentation()));
        for (ModelHook hook : userHooks) {
            all.add(new UserHookInstrumentation(hook));
        }
        return all;
    }
}
