package dev.safeload.model.xgboost;

import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;
import static dev.safeload.model.Scans.scan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.safeload.model.ScanResult;
import dev.safeload.model.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** XGBoost models as xgboost4j 2.1.4 wrote them (see MakeFixtures.java.txt), and each broken. */
class XGBoostCheckTest {

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = XGBoostCheckTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void allowsModelsXGBoostWroteInEachFormat() throws IOException {
        for (String name : List.of("model.json", "model.ubj", "model.deprecated")) {
            ScanResult r = scan(name, fixture(name));
            assertAllowed(r);
            assertEquals(List.of("xgboost"), r.formats(), name);
        }
    }

    @Test
    void refusesJsonThatDoesNotParseToItsEnd() throws IOException {
        String json = new String(fixture("model.json"), StandardCharsets.UTF_8);
        assertBlocked(scan("m.json", (json + "{}").getBytes(StandardCharsets.UTF_8)), "xgboost.malformed", Severity.HIGH);
        assertBlocked(scan("m.json", json.substring(0, json.length() - 3).getBytes(StandardCharsets.UTF_8)),
                "xgboost.malformed", Severity.HIGH);
        String twice = json.replaceFirst("\\{\"learner\":", "{\"learner\":{},\"learner\":");
        assertBlocked(scan("m.json", twice.getBytes(StandardCharsets.UTF_8)), "xgboost.malformed", Severity.HIGH);
    }

    @Test
    void refusesBoosterXGBoostDoesNotBuildIn() throws IOException {
        String json = new String(fixture("model.json"), StandardCharsets.UTF_8).replace("\"name\":\"gbtree\"",
                "\"name\":\"plugin\"");
        assertBlocked(scan("m.json", json.getBytes(StandardCharsets.UTF_8)), "xgboost.booster", Severity.HIGH);
        byte[] ubj = fixture("model.ubj");
        // The booster's name: a string of length 6, not the key gbtree_model_param.
        int at = indexOf(ubj, "\u0006gbtree".getBytes(StandardCharsets.US_ASCII)) + 1;
        System.arraycopy("plugin".getBytes(StandardCharsets.US_ASCII), 0, ubj, at, 6);
        assertBlocked(scan("m.ubj", ubj), "xgboost.booster", Severity.HIGH);
    }

    @Test
    void refusesJsonTreeWhoseChildIndexLeavesTheTree() throws IOException {
        // xgboost4j 2.1.4 loads this and crashes the JVM in predict (SIGSEGV in RegTree traversal).
        String json = new String(fixture("model.json"), StandardCharsets.UTF_8);
        String bad = json.replaceFirst("\"left_children\":\\[1,", "\"left_children\":[1000000,");
        assertBlocked(scan("m.json", bad.getBytes(StandardCharsets.UTF_8)), "xgboost.tree.index", Severity.HIGH);
        String feature = json.replaceFirst("\"split_indices\":\\[0,", "\"split_indices\":[7,");
        assertBlocked(scan("m.json", feature.getBytes(StandardCharsets.UTF_8)), "xgboost.tree.index", Severity.HIGH);
        String shortArray = json.replaceFirst("\"split_conditions\":\\[[^,]*,", "\"split_conditions\":[");
        assertBlocked(scan("m.json", shortArray.getBytes(StandardCharsets.UTF_8)), "xgboost.tree", Severity.HIGH);
    }

    @Test
    void refusesUbjsonTreeWhoseChildIndexLeavesTheTree() throws IOException {
        byte[] ubj = fixture("model.ubj");
        // left_children: key, then a typed int32 array [$l#L<count>; its first element follows.
        int at = indexOf(ubj, "left_children".getBytes(StandardCharsets.US_ASCII)) + "left_children".length();
        int first = at + 4 + 8 + 1;
        assertEquals('[', ubj[at]);
        ByteBuffer.wrap(ubj).putInt(first, 1_000_000);
        assertBlocked(scan("m.ubj", ubj), "xgboost.tree.index", Severity.HIGH);
    }

    @Test
    void refusesUbjsonThatEndsEarlyOrRunsOn() throws IOException {
        byte[] ubj = fixture("model.ubj");
        assertBlocked(scan("m.ubj", Arrays.copyOf(ubj, ubj.length - 5)), "xgboost.malformed", Severity.HIGH);
        assertBlocked(scan("m.ubj", Arrays.copyOf(ubj, ubj.length + 3)), "xgboost.malformed", Severity.HIGH);
    }

    @Test
    void refusesBinaryModelWhoseTreeIndexLeavesTheTree() throws IOException {
        byte[] bin = fixture("model.deprecated");
        // First tree's root: its left child index, at binf + params + two names + gbtree params + tree params + 4.
        int nodes = 4 + LegacyBinaryModel.LEARNER_PARAM + 8 + "reg:squarederror".length() + 8 + "gbtree".length()
                + LegacyBinaryModel.GBTREE_PARAM + LegacyBinaryModel.TREE_PARAM;
        ByteBuffer.wrap(bin).order(ByteOrder.LITTLE_ENDIAN).putInt(nodes + 4, 1_000_000);
        assertBlocked(scan("m.deprecated", bin), "xgboost.legacy.tree-index", Severity.HIGH);
    }

    @Test
    void refusesBinaryModelThatClaimsMoreTreesThanItHolds() throws IOException {
        byte[] bin = fixture("model.deprecated");
        int gbtree = 4 + LegacyBinaryModel.LEARNER_PARAM + 8 + "reg:squarederror".length() + 8 + "gbtree".length();
        ByteBuffer.wrap(bin).order(ByteOrder.LITTLE_ENDIAN).putInt(gbtree, 5000);
        assertBlocked(scan("m.deprecated", bin), "xgboost.legacy.malformed", Severity.HIGH);
    }

    @Test
    void leavesOtherJsonUnclaimed() {
        ScanResult r = scan("config.json", "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        assertBlocked(r, "model.format.unknown", Severity.HIGH);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
