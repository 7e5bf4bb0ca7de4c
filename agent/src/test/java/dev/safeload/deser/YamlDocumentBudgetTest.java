package dev.safeload.deser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.StringReader;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

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
}
