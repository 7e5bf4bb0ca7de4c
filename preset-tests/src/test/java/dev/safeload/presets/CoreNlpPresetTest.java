package dev.safeload.presets;

import edu.stanford.nlp.classify.ColumnDataClassifier;
import edu.stanford.nlp.ie.crf.CRFClassifier;
import edu.stanford.nlp.ling.CoreLabel;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;

/**
 * The corenlp preset against classifiers trained here on a few lines (CoreNLP's own model jars
 * are too large to fetch for a test) and written by the classifiers' own serializeClassifier.
 */
class CoreNlpPresetTest extends PresetContract {

    private static final String[] POSITIVE = {"great", "lovely", "excellent", "fine", "good"};
    private static final String[] NEGATIVE = {"awful", "poor", "terrible", "bad", "broken"};
    private static final String[] FILLER = {"the", "model", "was", "really", "quite", "service", "food"};
    private static final String[] PEOPLE = {"Alice", "Bob", "Carol", "Dmitri", "Erin"};
    private static final String[] PLACES = {"Paris", "Oslo", "Lima", "Cairo", "Perth"};

    @Override
    String preset() {
        return "corenlp";
    }

    @Override
    List<TrainedModel> train() throws Exception {
        Path dir = Files.createTempDirectory("corenlp-preset");
        try {
            return List.of(columnDataClassifier(dir), crfClassifier(dir));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    /** A text classifier (a LinearClassifier inside) over word n-grams of one column. */
    private static TrainedModel columnDataClassifier(Path dir) throws Exception {
        Random random = new Random(31);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            boolean positive = random.nextBoolean();
            String[] words = positive ? POSITIVE : NEGATIVE;
            String text = FILLER[random.nextInt(FILLER.length)] + " " + words[random.nextInt(words.length)]
                    + " " + FILLER[random.nextInt(FILLER.length)];
            lines.add((positive ? "pos" : "neg") + "\t" + text);
        }
        Path train = dir.resolve("sentiment.train");
        Files.write(train, lines);
        Properties props = new Properties();
        props.setProperty("goldAnswerColumn", "0");
        props.setProperty("useClassFeature", "true");
        props.setProperty("1.useSplitWords", "true");
        props.setProperty("1.splitWordsRegexp", "\\s+");
        props.setProperty("1.useSplitWordNGrams", "true");
        props.setProperty("1.maxWordNGramLeng", "2");
        props.setProperty("1.usePrefixSuffixNGrams", "true");
        props.setProperty("1.maxNGramLeng", "4");
        props.setProperty("intern", "true");
        ColumnDataClassifier classifier = new ColumnDataClassifier(props);
        classifier.trainClassifier(train.toString());

        List<String> heldOut = lines.subList(0, 40);
        TrainedModel.Predictor predictor = model -> {
            ColumnDataClassifier read = (ColumnDataClassifier) model;
            List<String> out = new ArrayList<>();
            for (String line : heldOut) {
                var datum = read.makeDatumFromLine(line);
                out.add(read.classOf(datum) + " " + read.scoresOf(datum));
            }
            return out;
        };
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            classifier.serializeClassifier(out);
        }
        return new TrainedModel("ColumnDataClassifier (LinearClassifier)", bytes.toByteArray(),
                predictor.predict(classifier), ObjectInputStream::new, ColumnDataClassifier::getClassifier,
                predictor);
    }

    /** A named-entity CRF over a few hundred tokens of word/label columns. */
    private static TrainedModel crfClassifier(Path dir) throws Exception {
        CRFClassifier<CoreLabel> crf = trainCrf(dir);
        TrainedModel.Predictor predictor = model -> {
            @SuppressWarnings("unchecked")
            CRFClassifier<CoreLabel> read = (CRFClassifier<CoreLabel>) model;
            List<String> out = new ArrayList<>();
            for (String sentence : SENTENCES) {
                out.add(read.classifyToString(sentence));
            }
            return out;
        };
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            crf.serializeClassifier(out);
        }
        return new TrainedModel("CRFClassifier (NER)", bytes.toByteArray(), predictor.predict(crf),
                ObjectInputStream::new, CRFClassifier::getClassifier, predictor);
    }

    static final List<String> SENTENCES = List.of("Alice flew to Oslo .", "Erin moved to Lima .",
            "Bob moved to Perth .", "Carol flew to Cairo .", "Dmitri flew to Paris .");

    /** The CRF of {@link #crfClassifier}, trained in {@code dir}. */
    static CRFClassifier<CoreLabel> trainCrf(Path dir) throws Exception {
        Random random = new Random(37);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            lines.add(PEOPLE[random.nextInt(PEOPLE.length)] + "\tPERSON");
            lines.add((random.nextBoolean() ? "flew" : "moved") + "\tO");
            lines.add("to\tO");
            lines.add(PLACES[random.nextInt(PLACES.length)] + "\tLOCATION");
            lines.add(".\tO");
            lines.add("");
        }
        Path train = dir.resolve("ner.tsv");
        Files.write(train, lines);
        Properties props = new Properties();
        props.setProperty("trainFile", train.toString());
        props.setProperty("map", "word=0,answer=1");
        props.setProperty("useClassFeature", "true");
        props.setProperty("useWord", "true");
        props.setProperty("useNGrams", "true");
        props.setProperty("noMidNGrams", "true");
        props.setProperty("maxNGramLeng", "4");
        props.setProperty("usePrev", "true");
        props.setProperty("useNext", "true");
        props.setProperty("useSequences", "true");
        props.setProperty("usePrevSequences", "true");
        props.setProperty("maxLeft", "1");
        props.setProperty("useTypeSeqs", "true");
        props.setProperty("useTypeSeqs2", "true");
        props.setProperty("useTypeySequences", "true");
        props.setProperty("wordShape", "chris2useLC");
        props.setProperty("useDisjunctive", "true");
        CRFClassifier<CoreLabel> crf = new CRFClassifier<>(props);
        crf.train();
        return crf;
    }
}
