package dev.safeload.instrument.jpmml;

import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.model.gate.ModelLoadGate;
import java.util.List;

/**
 * JPMML evaluator: {@code LoadingModelEvaluatorBuilder.load}, the documented way to build an
 * evaluator from a PMML file, unmarshals on its own, past {@code PMMLUtil}. Every overload
 * ({@code File}, {@code InputStream}, with or without a model name) ends in
 * {@code load(InputStream, String)}, which is checked; the stream is read whole and handed on.
 */
public final class LoadingModelEvaluatorBuilderInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "org.jpmml.evaluator.LoadingModelEvaluatorBuilder";

    private LoadingModelEvaluatorBuilderInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(EntryHook.at(TRIGGER, "load").arguments(2).firstParameter("java.io.InputStream")
                .constant("jpmml").constant("org.jpmml.evaluator.LoadingModelEvaluatorBuilder.load").argument(0)
                .hookedClass().constant("org.xml.sax.SAXException")
                .replacesArgument(0, ModelLoadGate.class.getName(), "checkArgument"));
    }
}
