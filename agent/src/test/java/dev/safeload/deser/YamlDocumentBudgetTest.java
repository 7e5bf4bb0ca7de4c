package dev.safeload.deser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.constructor.BaseConstructor;
import org.yaml.snakeyaml.constructor.Constructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * The cheap tree walk every benign SnakeYAML document takes ({@link YamlDocumentBudget#treeHeight})
 * against the exact walk ({@link YamlDocumentBudget#measure}), on real composed node graphs: the
 * same height wherever it answers, and no answer (so the exact walk decides) for a document whose
 * aliases expand past its limit or that holds itself.
 */
class YamlDocumentBudgetTest {

    private static Object compose(String yaml) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(1000);
        options.setAllowRecursiveKeys(true);
        return new Yaml(options).compose(new StringReader(yaml));
    }

    private static void sameHeight(String yaml) {
        Object root = compose(yaml);
        assertEquals(YamlDocumentBudget.measure(root).height(), YamlDocumentBudget.treeHeight(root, 10_000), yaml);
    }

    @Test
    void answersTheExactWalksHeight() {
        sameHeight("scalar");
        sameHeight("[]");
        sameHeight("{}");
        sameHeight("!!dev.Config\nname: scorer\nlabels: {team: ml}\nendpoints:\n  - {path: /p, port: 1}\n");
        sameHeight("a: &x [1, [2, [3]]]\nb: *x\nc: [*x, [*x]]\n");
        sameHeight("[".repeat(20) + "1" + "]".repeat(20));
        sameHeight("? [1, 2]\n: {k: [v]}\n");
    }

    @Test
    void leavesADocumentWhoseAliasesExpandPastTheLimitToTheExactWalk() {
        StringBuilder bomb = new StringBuilder("a0: &a0 [x, x]\n");
        for (int i = 1; i <= 20; i++) {
            bomb.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a")
                    .append(i - 1).append("]\n");
        }
        Object root = compose(bomb.toString());
        assertEquals(-1, YamlDocumentBudget.treeHeight(root, 10_000));
        YamlDocumentBudget.Measure exact = YamlDocumentBudget.measure(root);
        assertEquals(true, exact.expanded() - exact.distinct() > 1_000_000, exact::toString);
        // Within a limit it does not reach, the tree walk answers as the exact one does.
        Object small = compose("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n");
        assertEquals(YamlDocumentBudget.measure(small).height(), YamlDocumentBudget.treeHeight(small, 10_000));
        assertEquals(-1, YamlDocumentBudget.treeHeight(small, 10), "more nodes walked than a limit of 10");
    }

    @Test
    void leavesADocumentThatHoldsItselfToTheExactWalk() {
        Object root = compose("&a [1, *a]");
        assertEquals(-1, YamlDocumentBudget.treeHeight(root, 10_000));
        assertEquals(2, YamlDocumentBudget.measure(root).distinct());
    }

    /** A call site the constructDocument hook links in SnakeYAML's class {@code in}, linked here with that class's lookup. */
    private static MethodHandle site(String bootstrap, Class<?> in) throws Exception {
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(in, MethodHandles.lookup());
        MethodType type = MethodType.methodType(int.class, in);
        return (bootstrap.equals("span") ? YamlDocumentBudget.span(lookup, bootstrap, type)
                : YamlDocumentBudget.composedHeight(lookup, bootstrap, type)).getTarget();
    }

    private static Yaml yaml(BaseConstructor constructor, LoaderOptions options) {
        return new Yaml(constructor, new Representer(new DumperOptions()), new DumperOptions(), options);
    }

    @Test
    void boundsTheHeightByTheComposersLimitUntilItMeetsAnAliasOfACollection() throws Throwable {
        MethodHandle height = site("composedHeight", BaseConstructor.class);
        Constructor constructor = new Constructor(new LoaderOptions());
        assertEquals(YamlDocumentBudget.UNKNOWN, (int) height.invoke(constructor), "no composer yet");
        Yaml yaml = yaml(constructor, new LoaderOptions());
        yaml.load("a: &x 1\nb: *x\nc: [*x, *x]\n");
        assertEquals(51, (int) height.invoke(constructor), "aliases of a scalar only: SnakeYAML's nesting limit, 50, plus one");
        yaml.load("a: &x [1]\nb: *x\n");
        assertEquals(YamlDocumentBudget.UNKNOWN, (int) height.invoke(constructor), "an alias of a sequence");
        yaml.load("a: &x {k: v}\nb: *x\n");
        assertEquals(YamlDocumentBudget.UNKNOWN, (int) height.invoke(constructor), "an alias of a mapping");
        yaml.load("plain: 1\n");
        assertEquals(51, (int) height.invoke(constructor), "each load composes with a new composer");

        LoaderOptions raised = new LoaderOptions();
        raised.setNestingDepthLimit(100);
        Constructor deep = new Constructor(raised);
        yaml(deep, raised).load("[[1]]");
        assertEquals(101, (int) height.invoke(deep), "a raised limit is read, not assumed");

        // A composer of the application's own class may compose otherwise: walked.
        Constructor custom = new Constructor(new LoaderOptions());
        LoaderOptions options = new LoaderOptions();
        custom.setComposer(new Composer(new ParserImpl(new StreamReader("a: 1"), options), new Resolver(), options) {
        });
        assertEquals(YamlDocumentBudget.UNKNOWN, (int) height.invoke(custom));
    }

    @Test
    void aTreeTheComposerBuildsIsNoDeeperThanItsBound() {
        for (int limit : new int[] {5, 50}) {
            LoaderOptions options = new LoaderOptions();
            options.setNestingDepthLimit(limit);
            long deepest = 0;
            for (int levels = 1; levels <= limit + 5; levels++) {
                // Ending in a scalar (a level of the composer's, not of the height) or in an empty sequence.
                for (String[] shape : new String[][] {{"[", "1", "]"}, {"{k: ", "1", "}"}, {"[", "", "]"}, {"- "}}) {
                    String text = shape.length == 1 ? blockSequence(levels) : shape[0].repeat(levels) + shape[1]
                            + shape[2].repeat(levels);
                    try {
                        Object root = new Yaml(options).compose(new StringReader(text));
                        deepest = Math.max(deepest, YamlDocumentBudget.measure(root).height());
                    } catch (YAMLException e) {
                        assertTrue(levels > limit, "refused at " + levels + " levels under a limit of " + limit + ": " + e);
                    }
                }
            }
            assertEquals(limit + 1, deepest, "the deepest tree SnakeYAML composes under a nesting limit of " + limit);
        }
    }

    private static String blockSequence(int levels) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < levels; i++) {
            text.append("  ".repeat(i)).append("-\n");
        }
        return text.append("  ".repeat(levels)).append("1\n").toString();
    }

    @Test
    void spansTheRootsTextInCodePointsAtLeastTwoPerAlias() throws Throwable {
        MethodHandle span = site("span", Node.class);
        String text = "a: &x 1\nb: [*x, *x, *x]\nc: *x\n";
        Node root = new Yaml().compose(new StringReader(text));
        int answer = (int) span.invoke(root);
        assertEquals(root.getEndMark().getIndex() - root.getStartMark().getIndex(), answer);
        assertTrue(answer >= 2 * 4 && answer <= text.length(), "4 aliases in " + answer + " code points");
        assertEquals(YamlDocumentBudget.UNKNOWN, (int) span.invoke((Node) null));
    }
}
