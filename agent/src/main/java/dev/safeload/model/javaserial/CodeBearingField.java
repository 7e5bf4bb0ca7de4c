package dev.safeload.model.javaserial;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Fields of ML library classes whose string value the library turns into code, a class to
 * instantiate or a resource to open when the model is read or used. A class check cannot see
 * them: the dangerous part is a plain {@code String}. The model gate reads every string inside
 * such a field's value and refuses one the rule does not admit, whatever the class patterns
 * allow (README, "What the presets leave out"); the stream guard applies the same rules to the
 * object itself once its fields are read ({@link CodeBearingValues}).
 */
enum CodeBearingField {

    // Weka's expression language (weka.core.expressionlanguage) has a java(...) macro that calls
    // any public static method; every other function it offers is arithmetic on the instance.
    WEKA_COST_EXPRESSION("weka.classifiers.CostMatrix", "m_matrix", Admits.NO_JAVA_CALL,
            "a cost given as a string is compiled by Weka's expression language at the first prediction"),
    WEKA_MATH_EXPRESSION("weka.filters.unsupervised.attribute.MathExpression", "m_expression", Admits.NO_JAVA_CALL,
            "the filter compiles this expression with Weka's expression language"),
    WEKA_ADD_EXPRESSION("weka.filters.unsupervised.attribute.AddExpression", "m_infixExpression", Admits.NO_JAVA_CALL,
            "the filter compiles this expression with Weka's expression language"),
    WEKA_SUBSET_EXPRESSION("weka.filters.unsupervised.instance.SubsetByExpression", "m_Expression", Admits.NO_JAVA_CALL,
            "the filter compiles this expression with Weka's expression language at every batch"),
    WEKA_KERNEL_FACTOR("weka.filters.unsupervised.attribute.KernelFilter", "m_KernelFactorExpression",
            Admits.NO_JAVA_CALL, "the filter compiles this expression with Weka's expression language"),
    // NumericTransform calls Class.forName(m_Class).getMethod(m_Method, double.class) on every row.
    WEKA_NUMERIC_TRANSFORM("weka.filters.unsupervised.attribute.NumericTransform", "m_Class",
            Admits.oneOf("java.lang.Math"), "the filter loads this class by name and calls its static method on every row"),
    // StringToWordVector saves its dictionary to this file when it finishes its first batch.
    // A model can hold one whose first batch is not done inside SMO, which calls batchFinished()
    // at every prediction: a file written (truncated first) where the model says. "-- set me --"
    // is Weka's own placeholder for "no file", which batchFinished skips.
    WEKA_DICTIONARY_FILE("weka.filters.unsupervised.attribute.StringToWordVector", "m_dictionaryFile",
            Admits.pathOneOf("-- set me --"), "the filter writes its dictionary to this path when it finishes a first batch"),
    WEKA_SERIALIZED_CLASSIFIER("weka.classifiers.misc.SerializedClassifier", "m_ModelFile", Admits.NOTHING,
            "the classifier reads another model from this path at its first prediction"),
    WEKA_INPUT_MAPPED_CLASSIFIER("weka.classifiers.misc.InputMappedClassifier", "m_modelPath", Admits.NOTHING,
            "the classifier reads another model from this path"),
    // AbstractSequenceClassifier.defaultReaderAndWriter() instantiates this class with
    // ReflectionLoading.loadByReflection (any class with a public no-argument constructor) at
    // the first use that reads documents in the model's column format.
    CORENLP_READER("edu.stanford.nlp.sequences.SeqClassifierFlags", "readerAndWriter",
            Admits.oneOf("edu.stanford.nlp.sequences.ColumnDocumentReaderAndWriter",
                    "edu.stanford.nlp.sequences.CoNLLDocumentReaderAndWriter"),
            "CRFClassifier instantiates this class by name to read documents"),
    // plainTextReaderAndWriter() does the same at the first classify(String) or classifyToString.
    CORENLP_PLAIN_TEXT_READER("edu.stanford.nlp.sequences.SeqClassifierFlags", "plainTextDocumentReaderAndWriter",
            Admits.oneOf("edu.stanford.nlp.sequences.PlainTextDocumentReaderAndWriter"),
            "CRFClassifier instantiates this class by name at the first prediction on plain text"),
    // CRFClassifier.loadClassifier calls reinit(), and so NERFeatureFactory.init(flags), which
    // opens this path (IOUtils also takes http: and https: URLs) when useDistSim is set. The
    // gazettes list is transient.
    CORENLP_DISTSIM_LEXICON("edu.stanford.nlp.sequences.SeqClassifierFlags", "distSimLexicon", Admits.NOTHING,
            "NERFeatureFactory.init opens this file or URL when the classifier is read");

    /**
     * Class name, then field name: the walker asks for every object field, so no key is built.
     * Built with a loop, and the rules below without lambdas: this class loads at the host's first
     * stream (a Weka model read at start), where a stream pipeline and six lambdas cost their
     * bootstrap and spun classes.
     */
    private static final Map<String, Map<String, CodeBearingField>> BY_CLASS = byClass();

    private static Map<String, Map<String, CodeBearingField>> byClass() {
        Map<String, Map<String, CodeBearingField>> byClass = new HashMap<>();
        for (CodeBearingField f : values()) {
            Map<String, CodeBearingField> fields = byClass.get(f.className);
            if (fields == null) {
                byClass.put(f.className, fields = new HashMap<>());
            }
            if (fields.put(f.fieldName, f) != null) {
                throw new IllegalStateException("two rules for " + f.className + "." + f.fieldName);
            }
        }
        for (Map.Entry<String, Map<String, CodeBearingField>> e : byClass.entrySet()) {
            e.setValue(Map.copyOf(e.getValue()));
        }
        return Map.copyOf(byClass);
    }

    final String className;
    final String fieldName;
    private final Admits admits;
    final String why;

    CodeBearingField(String className, String fieldName, Admits admits, String why) {
        this.className = className;
        this.fieldName = fieldName;
        this.admits = admits;
        this.why = why;
    }

    /** The rule for a field of a class as the stream names them, or null. */
    static CodeBearingField of(String className, String fieldName) {
        Map<String, CodeBearingField> fields = className == null ? null : BY_CLASS.get(className);
        return fields == null ? null : fields.get(fieldName);
    }

    /** The rules of one class's own fields, by field name; empty when it has none. */
    static Map<String, CodeBearingField> ofClass(String className) {
        return BY_CLASS.getOrDefault(className, Map.of());
    }

    /** Whether the library may be handed {@code value}; null stands for a string too long to read. */
    boolean admits(String value) {
        return value != null && admits.test(value);
    }

    /** The finding's rule name: {@code serial.field.expression}, {@code .class-name} or {@code .resource}. */
    String rule() {
        return "serial.field." + admits.kind();
    }

    /**
     * What a field's strings may be, and what kind of field that makes it: the strings of
     * {@code oneOf}, or (an expression) any text that never names the java(...) macro.
     */
    private record Admits(String kind, Set<String> oneOf) {

        /** No string at all: the field is a path or a list of paths. */
        static final Admits NOTHING = new Admits("resource", Set.of());

        /**
         * An expression that never names the java(...) macro. Judged on the text, in any case and
         * with any spacing, so that no spelling the parser accepts gets through.
         */
        static final Admits NO_JAVA_CALL = new Admits("expression", null);

        static Admits oneOf(String... classNames) {
            return new Admits("class-name", Set.of(classNames));
        }

        static Admits pathOneOf(String... paths) {
            return new Admits("resource", Set.of(paths));
        }

        boolean test(String value) {
            return oneOf == null ? !value.toLowerCase(Locale.ROOT).contains("java") : oneOf.contains(value);
        }
    }
}
