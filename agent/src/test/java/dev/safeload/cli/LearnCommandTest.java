package dev.safeload.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.config.ConfigKey;
import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import dev.safeload.ops.EventLine;
import dev.safeload.policy.Policy;
import dev.safeload.policy.SerialPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearnCommandTest {

    private static final String TIEDMAPENTRY = "org.apache.commons.collections.keyvalue.TiedMapEntry";

    @TempDir
    Path dir;

    private static SerialPolicy compile(Path policy) throws Exception {
        Policy p = PolicyCompiler.compile(Settings.resolve("policy=" + policy, new Properties(), Map.of()));
        return p.serial();
    }

    private Path benignAuditLogs() throws Exception {
        Path logs = Files.createDirectory(dir.resolve("logs"));
        EventLine.writeGzip(logs.resolve("safeload-violations.jsonl.2026-11-26.0.gz"),
                EventLine.start("2026-11-26T08:00:00Z", "audit"),
                EventLine.audit("2026-11-26T08:00:01Z", "com.acme.model.Tree"),
                EventLine.audit("2026-11-26T08:00:01Z", "com.acme.model.Tree$Node").suppressed(20),
                EventLine.audit("2026-11-26T08:00:02Z", "[[Lcom.acme.model.Leaf;"),
                EventLine.audit("2026-11-26T08:00:02Z", "[D"));
        EventLine.write(logs.resolve("safeload-violations.jsonl"),
                EventLine.audit("2026-11-26T09:00:00Z", "org.tribuo.classification.Label")
                        .callSite("com.acme.serve.Tribuo.load(Tribuo.java:9)"),
                "garbage line",
                EventLine.audit("2026-11-26T10:00:00Z", "com.acme.model.Tree"),
                EventLine.heldAtShutdown("2026-11-26T18:00:00Z", "com.acme.model.Tree",
                        "com.acme.serve.ModelStore.load(ModelStore.java:41)", 5),
                EventLine.audit("2026-11-26T10:00:00Z", "java.util.HashSet").rule("serial.maxDepth"));
        return logs;
    }

    @Test
    void learnedPolicyAllowsEveryObservedClassAndStillRefusesGadgets() throws Exception {
        Path out = dir.resolve("learned.properties");
        CommandRun run = CommandRun.of("learn", "--out", out.toString(), benignAuditLogs().toString());

        assertEquals(0, run.status(), run.err());
        SerialPolicy policy = compile(out);
        for (String observed : List.of("com.acme.model.Tree", "com.acme.model.Tree$Node", "com.acme.model.Leaf",
                "org.tribuo.classification.Label")) {
            assertTrue(policy.decideName(observed).allowed(), observed);
        }
        assertFalse(policy.decideName("com.acme.model.Other").allowed());
        assertFalse(policy.decideName(TIEDMAPENTRY).allowed());
        assertFalse(policy.decideName("org.apache.commons.collections.functors.InvokerTransformer").allowed());
        assertTrue(run.out().startsWith("safeload learn: wrote " + out + ": 4 serial.allow patterns learned from 9 events"),
                run.out());
        assertTrue(run.err().contains("safeload-violations.jsonl line 2: skipped, not JSON"), run.err());
    }

    @Test
    void learnsTheDocumentKeysFromTheirAuditsButNoEntryOnAGadgetClass() throws Exception {
        Path logs = Files.createDirectory(dir.resolve("xml-logs"));
        EventLine.write(logs.resolve("safeload-violations.jsonl"),
                EventLine.start("2026-11-26T08:00:00Z", "audit"),
                EventLine.audit("2026-11-26T08:00:01Z", "com.acme.dto.Order"),
                EventLine.audit("2026-11-26T08:00:02Z", "com.acme.dto.Order").rule("xmldecoder.allowMethods")
                        .member("addLine"),
                EventLine.audit("2026-11-26T08:00:03Z", "java.lang.ProcessBuilder").rule("xmldecoder.allowMethods")
                        .member("start"),
                EventLine.audit("2026-11-26T08:00:04Z", "com.acme.dto.Quote").rule("serial.allowWithoutConstructor"),
                EventLine.audit("2026-11-26T08:00:05Z", "java.io.File").rule("xmldecoder.allowMethods"));
        Path out = dir.resolve("learned-xml.properties");
        CommandRun run = CommandRun.of("learn", "--out", out.toString(), logs.toString());
        String text = Files.readString(out);
        assertTrue(text.contains("serial.allow=\\\n    com.acme.dto.Order\n"), text);
        assertTrue(text.contains("xmldecoder.allowMethods=\\\n    com.acme.dto.Order.addLine\n"), text);
        assertTrue(text.contains("serial.allowWithoutConstructor=\\\n    com.acme.dto.Quote\n"), text);
        assertTrue(text.contains("#   not written: java.lang.ProcessBuilder.start: DANGEROUS: java.lang.ProcessBuilder"
                + " is a known gadget class"), text);
        assertFalse(text.contains("    java.lang.ProcessBuilder.start"), text);
        // An event without the method (an older agent's) is counted, not learned.
        assertTrue(text.contains("Not learned (limits are set by hand, for data you trust): xmldecoder.allowMethods 1 event"),
                text);
        assertEquals(3, run.status(), run.err());
        assertTrue(run.err().contains("xmldecoder.allowMethods java.lang.ProcessBuilder.start: DANGEROUS"), run.err());
        assertTrue(run.out().contains("1 serial.allowWithoutConstructor entry, 1 xmldecoder.allowMethods entry learned"),
                run.out());
    }

    @Test
    void writesOneEntryPerLineUnderACommentPerPackage() throws Exception {
        Path out = dir.resolve("learned.properties");
        CommandRun.of("learn", "--out", out.toString(), benignAuditLogs().toString());
        String text = Files.readString(out);

        assertTrue(text.contains("""
                serial.allow=\\
                    com.acme.model.Leaf;\\
                    com.acme.model.Tree;\\
                    com.acme.model.Tree$Node;\\
                    org.tribuo.classification.Label
                """), text);
        assertTrue(text.contains("# com.acme.model: 3 classes, 29 events\n"), text);
        assertTrue(text.contains("#   com.acme.model.Tree: 7 events, first 2026-11-26T08:00:01Z at"
                + " com.acme.serve.ModelStore.load(ModelStore.java:41) ("), text);
        assertTrue(text.contains("#   org.tribuo.classification.Label: 1 event, first 2026-11-26T09:00:00Z at"
                + " com.acme.serve.Tribuo.load(Tribuo.java:9)"), text);
        assertTrue(text.contains("Not learned (limits are set by hand, for data you trust): serial.maxDepth 1 event"), text);
    }

    @Test
    void countsAnArrayAndItsComponentClassAsOneEntry() throws Exception {
        Path log = EventLine.write(dir.resolve("audit.jsonl"),
                EventLine.audit("2026-11-26T00:00:02Z", "com.acme.model.Leaf"),
                EventLine.audit("2026-11-26T00:00:01Z", "[[Lcom.acme.model.Leaf;").suppressed(2),
                EventLine.audit("2026-11-26T00:00:00Z", "[J"),
                EventLine.audit("2026-11-26T00:00:00Z", "[Lbroken"));
        Path out = dir.resolve("learned.properties");
        CommandRun.of("learn", "--out", out.toString(), log.toString());
        String text = Files.readString(out);

        assertTrue(text.contains("# com.acme.model: 1 class, 4 events\n#   com.acme.model.Leaf: 4 events, first"
                + " 2026-11-26T00:00:01Z"), text);
        assertTrue(text.contains("#   \"[Lbroken\": not a Java class name"), text);
        assertFalse(text.contains("[J"), text);
        assertTrue(text.contains("serial.allow=\\\n    com.acme.model.Leaf\n"), text);
    }

    @Test
    void commentsOutClassesNamedOnlyInStreamsThatAlsoCarriedAKnownGadget() throws Exception {
        // One commons-collections attack stream in audit mode, beside ordinary traffic.
        Path log = EventLine.write(dir.resolve("audit.jsonl"),
                EventLine.audit("2026-11-26T00:00:00Z", "com.acme.model.Tree").stream("a1-1"),
                EventLine.audit("2026-11-26T00:00:00Z", "java.lang.Class").stream("a1-1"),
                EventLine.audit("2026-11-26T00:00:01Z", "org.apache.commons.collections.keyvalue.TiedMapEntry").stream("a1-2"),
                EventLine.audit("2026-11-26T00:00:01Z", "java.lang.Class").stream("a1-2"),
                EventLine.audit("2026-11-26T00:00:01Z", "java.io.FileOutputStream").stream("a1-2"),
                EventLine.audit("2026-11-26T00:00:01Z", "[Lorg.apache.commons.collections.Transformer;").stream("a1-2"),
                EventLine.audit("2026-11-26T00:00:01Z", "com.acme.Widget").stream("a1-2"),
                EventLine.audit("2026-11-26T00:00:02Z", "com.acme.Widget"));
        Path out = dir.resolve("learned.properties");
        CommandRun run = CommandRun.of("learn", "--widen", "--out", out.toString(), log.toString());
        String text = Files.readString(out);

        assertEquals(3, run.status(), run::toString);
        for (String accomplice : new String[] {"java.io.FileOutputStream", "org.apache.commons.collections.Transformer"}) {
            assertTrue(text.contains("#   DANGEROUS: " + accomplice + ": named only in streams that also carried a known"
                    + " gadget, e.g. org.apache.commons.collections.keyvalue.TiedMapEntry (" + log + " line 3): part of an"
                    + " attack, not traffic"), text);
            assertTrue(run.err().contains(accomplice + " was named only in streams that also carried a known gadget"), run.err());
        }
        dev.safeload.policy.SerialPolicy learned = compile(out);
        assertFalse(learned.decideName("java.io.FileOutputStream").allowed(), text);
        assertFalse(learned.decideName("org.apache.commons.collections.Transformer").allowed(), text);
        assertTrue(learned.decideName("com.acme.model.Tree").allowed(), "traffic is learned: " + text);
        assertTrue(text.contains("    java.lang.Class"), "Class was also in a stream without a gadget: " + text);
        assertFalse(learned.decideName("com.acme.Widget").allowed(),
                "an event without a stream (an older log) proves no traffic: " + text);
        assertTrue(text.contains("not widened: a class of it was named only in streams that carried a known gadget"), text);
    }

    @Test
    void widensToPackagesOnlyWhenAsked() throws Exception {
        Path logs = benignAuditLogs();
        Path out = dir.resolve("wide.properties");
        CommandRun run = CommandRun.of("learn", "--widen", "--out", out.toString(), logs.toString());

        assertEquals(0, run.status(), run.err());
        String text = Files.readString(out);
        assertTrue(text.contains("serial.allow=\\\n    com.acme.model.*;\\\n    org.tribuo.classification.*\n"), text);
        assertTrue(compile(out).decideName("com.acme.model.Other").allowed());
    }

    @Test
    void neverWidensJdkPackagesOrPackagesHoldingGadgetBuildingBlocks() throws Exception {
        Path log = EventLine.write(dir.resolve("a.jsonl"),
                EventLine.audit("2026-11-26T00:00:00Z", "java.util.logging.Level"),
                EventLine.audit("2026-11-26T00:00:00Z", "org.apache.commons.collections.map.HashedMap"));
        Path out = dir.resolve("wide.properties");
        CommandRun run = CommandRun.of("learn", "--widen", "--out", out.toString(), log.toString());

        assertEquals(0, run.status(), run.err());
        String text = Files.readString(out);
        assertTrue(text.contains("serial.allow=\\\n    java.util.logging.Level;\\\n"
                + "    org.apache.commons.collections.map.HashedMap\n"), text);
        assertTrue(text.contains("not widened: JDK packages are never widened"), text);
        assertTrue(text.contains("not widened: the package holds known gadget building blocks"
                + " (org.apache.commons.collections.map.LazyMap, org.apache.commons.collections.map.TransformedMap)"), text);
        assertFalse(compile(out).decideName("org.apache.commons.collections.map.LazyMap").allowed());
    }

    @Test
    void commentsOutGadgetClassesWarnsWithFileAndLineAndExitsThree() throws Exception {
        Path log = EventLine.write(dir.resolve("audit.jsonl"),
                EventLine.audit("2026-11-26T00:00:00Z", "com.acme.Session"),
                EventLine.audit("2026-11-26T00:00:01Z", TIEDMAPENTRY)
                        .callSite("com.acme.serve.SessionCodec.decode(SessionCodec.java:23)"),
                EventLine.audit("2026-11-26T00:00:02Z", "java.net.URL"),
                EventLine.audit("2026-11-26T00:00:03Z", "org.apache.commons.collections.functors.InvokerTransformer")
                        .rule("serial.deny"));
        Path out = dir.resolve("learned.properties");
        CommandRun run = CommandRun.of("learn", "--out", out.toString(), log.toString());

        assertEquals(3, run.status());
        assertTrue(run.err().contains("safeload learn: WARNING: " + log + " line 2: " + TIEDMAPENTRY
                + " is a known gadget building block (CommonsCollections5, 6, 7: hashCode()/toString() reach a LazyMap);"
                + " written commented out, not allowed (review it; --allow-dangerous allows it)"), run.err());
        assertTrue(run.err().contains("WARNING: " + log + " line 3: java.net.URL is a known gadget building block"
                + " (URLDNS"), run.err());
        assertTrue(run.err().contains("WARNING: " + log + " line 4: org.apache.commons.collections.functors.InvokerTransformer"
                + " is a known gadget building block (on the agent's built-in gadget denylist"), run.err());
        String text = Files.readString(out);
        assertTrue(text.contains("#   DANGEROUS: " + TIEDMAPENTRY + ": CommonsCollections5, 6, 7"), text);
        assertTrue(text.contains("; not allowed\n"), text);
        assertTrue(text.contains("serial.allow=\\\n    com.acme.Session\n"), text);
        SerialPolicy policy = compile(out);
        assertTrue(policy.decideName("com.acme.Session").allowed());
        assertFalse(policy.decideName(TIEDMAPENTRY).allowed());
        assertFalse(policy.decideName("java.net.URL").allowed());
    }

    @Test
    void allowsBuildingBlocksWithAWarningCommentOnlyWithAllowDangerous() throws Exception {
        Path log = EventLine.write(dir.resolve("audit.jsonl"),
                EventLine.audit("2026-11-26T00:00:00Z", "java.net.URL"),
                EventLine.audit("2026-11-26T00:00:03Z", "org.apache.commons.collections.functors.InvokerTransformer")
                        .rule("serial.deny"));
        Path out = dir.resolve("learned.properties");
        CommandRun run = CommandRun.of("learn", "--allow-dangerous", "--out", out.toString(), log.toString());

        assertEquals(0, run.status(), run.err());
        String text = Files.readString(out);
        assertTrue(text.contains("#   WARNING: DANGEROUS, allowed by --allow-dangerous: java.net.URL: URLDNS"), text);
        assertTrue(text.contains("serial.allow=\\\n    java.net.URL\n"), text);
        SerialPolicy policy = compile(out);
        assertTrue(policy.decideName("java.net.URL").allowed());
        assertFalse(policy.decideName("org.apache.commons.collections.functors.InvokerTransformer").allowed());
        assertTrue(run.err().contains("java.net.URL is a known gadget building block (URLDNS: hashCode() resolves the"
                + " host name, a blind probe); allowed because of --allow-dangerous"), run.err());
    }

    @Test
    void neverLetsALoggedClassNameWriteALiveEntry() throws Exception {
        Path log = EventLine.write(dir.resolve("audit.jsonl"),
                EventLine.audit("2026-11-26T00:00:00Z", "com.acme.Ok"),
                EventLine.audit("2026-11-26T00:00:00Z", "x\nserial.allow=**\nmode=off"),
                EventLine.audit("2026-11-26T00:00:00Z", "com.acme.*"),
                EventLine.audit("2026-11-26T00:00:00Z", "com.evil.Probe").notFound()
                        .callSite("evil\nmode=off"));
        Path out = dir.resolve("learned.properties");
        CommandRun run = CommandRun.of("learn", "--out", out.toString(), log.toString());

        assertEquals(0, run.status(), run.err());
        String text = Files.readString(out);
        assertTrue(text.contains("#   \"x\\u000aserial.allow=**\\u000amode=off\": not a Java class name"), text);
        assertTrue(text.contains("#   \"com.evil.Probe\": no class path of the logging process had it"), text);
        assertTrue(text.contains("at evil\\u000amode=off"), text);
        Properties p = new Properties();
        p.load(new java.io.StringReader(text));
        assertEquals(Map.of("serial.allow", "com.acme.Ok"), Map.copyOf((Map<?, ?>) p));
        assertEquals("enforce", Settings.resolve("policy=" + out, new Properties(), Map.of()).get(ConfigKey.MODE));
    }

    @Test
    void mergesIntoABasePolicyKeepingItsEntriesAndComments() throws Exception {
        Path base = Files.writeString(dir.resolve("base.properties"), """
                # Production policy for the fraud scorer; owner: ml-platform
                mode=audit
                serial.presets=tribuo
                serial.allow=com.acme.model.Tree;\\
                  !com.acme.model.Secret
                serial.maxDepth=128
                """);
        Path log = EventLine.write(dir.resolve("audit.jsonl"),
                EventLine.audit("2026-11-26T00:00:00Z", "com.acme.model.Tree"),
                EventLine.audit("2026-11-26T00:00:00Z", "com.acme.model.Leaf"),
                EventLine.audit("2026-11-26T00:00:00Z", "com.acme.model.Secret"),
                EventLine.audit("2026-11-26T00:00:00Z", "org.tribuo.classification.Label"));
        Path out = dir.resolve("merged.properties");
        CommandRun run = CommandRun.of("learn", "--base", base.toString(), "--out", out.toString(), log.toString());

        assertEquals(0, run.status(), run.err());
        String text = Files.readString(out);
        assertTrue(text.contains("# Production policy for the fraud scorer; owner: ml-platform\nmode=audit\n"
                + "serial.presets=tribuo\nserial.maxDepth=128\n"), text);
        assertTrue(text.contains("serial.allow=\\\n    com.acme.model.Tree;\\\n    !com.acme.model.Secret;\\\n"
                + "    com.acme.model.Leaf\n"), text);
        assertTrue(text.contains("\"com.acme.model.Secret\": refused by " + base + " (!com.acme.model.Secret)"), text);
        Settings settings = Settings.resolve("policy=" + out, new Properties(), Map.of());
        assertEquals("audit", settings.get(ConfigKey.MODE));
        assertEquals("128", settings.get(ConfigKey.SERIAL_MAX_DEPTH));
        SerialPolicy policy = PolicyCompiler.compile(settings).serial();
        assertTrue(policy.decideName("com.acme.model.Leaf").allowed());
        assertTrue(policy.decideName("org.tribuo.classification.Label").allowed());
        assertFalse(policy.decideName("com.acme.model.Secret").allowed());
    }

    @Test
    void mergingTwiceChangesNothing() throws Exception {
        Path log = benignAuditLogs();
        Path first = dir.resolve("first.properties");
        CommandRun.of("learn", "--out", first.toString(), log.toString());
        Path second = dir.resolve("second.properties");
        CommandRun run = CommandRun.of("learn", "--base", first.toString(), "--out", second.toString(), log.toString());

        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains(": 0 serial.allow patterns learned from 9 events, 4 kept from " + first), run.out());
        assertEquals(compile(first).allowPatterns().patterns(), compile(second).allowPatterns().patterns());
    }

    @Test
    void pinsTheDigestsOfModelFilesTheGateAllowed() throws Exception {
        String digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        Path log = EventLine.write(dir.resolve("audit.jsonl"),
                EventLine.model("2026-11-26T00:00:00Z", "model-allow", "/models/fraud.pt", digest),
                EventLine.model("2026-11-26T00:00:01Z", "model-allow", "/models/fraud.pt", digest.toUpperCase()),
                EventLine.model("2026-11-26T00:00:02Z", "refuse", "/models/evil.pt", "ab".repeat(32)));
        Path out = dir.resolve("learned.properties");
        CommandRun run = CommandRun.of("learn", "--out", out.toString(), log.toString());

        assertEquals(0, run.status(), run.err());
        String text = Files.readString(out);
        assertTrue(text.contains("#   " + digest + ": /models/fraud.pt (pytorch): model-allow 2; first in " + log
                + " line 1\nmodel.sha256=\\\n    " + digest + "\n"), text);
        assertFalse(text.contains("ab".repeat(32)), text);
        Settings settings = Settings.resolve("policy=" + out, new Properties(), Map.of());
        assertEquals(digest, settings.get(ConfigKey.MODEL_SHA256));
        PolicyCompiler.compile(settings);
    }

    @Test
    void neverPinsAModelFileTheGateWouldBlockWithoutAllowDangerous() throws Exception {
        String blocked = "ab".repeat(32);
        Path log = EventLine.write(dir.resolve("audit.jsonl"),
                EventLine.model("2026-11-26T00:00:00Z", "audit", "/models/evil.pt", blocked));
        Path out = dir.resolve("learned.properties");
        CommandRun run = CommandRun.of("learn", "--out", out.toString(), log.toString());

        assertEquals(3, run.status());
        assertTrue(run.err().contains("safeload learn: WARNING: " + log + " line 1: the model gate would block"
                + " /models/evil.pt (sha256 " + blocked + ", rule pickle.import.dangerous); not pinned (review it;"
                + " --allow-dangerous pins it)"), run.err());
        String text = Files.readString(out);
        assertTrue(text.contains("#   DANGEROUS: " + blocked + ": /models/evil.pt (pytorch): audit 1; first in " + log
                + " line 1; the model gate would block it (pickle.import.dangerous); not pinned\nmodel.sha256=\n"), text);

        CommandRun allowed = CommandRun.of("learn", "--allow-dangerous", "--out", out.toString(), log.toString());
        assertEquals(0, allowed.status(), allowed.err());
        assertTrue(Files.readString(out).contains("#   WARNING: DANGEROUS, pinned by --allow-dangerous: " + blocked));
        assertEquals(blocked, Settings.resolve("policy=" + out, new Properties(), Map.of()).get(ConfigKey.MODEL_SHA256));
    }

    @Test
    void keepsTheBasePoliciesModelPins() throws Exception {
        String pinned = "cd".repeat(32);
        String learned = "ef".repeat(32);
        Path base = Files.writeString(dir.resolve("base.properties"), "model.sha256=" + pinned + "\n");
        Path log = EventLine.write(dir.resolve("audit.jsonl"),
                EventLine.model("2026-11-26T00:00:00Z", "model-allow", "/models/a.pt", learned),
                EventLine.model("2026-11-26T00:00:00Z", "model-allow", "/models/b.pt", pinned));
        Path out = dir.resolve("learned.properties");
        CommandRun run = CommandRun.of("learn", "--base", base.toString(), "--out", out.toString(), log.toString());

        assertEquals(0, run.status(), run.err());
        assertEquals(pinned + ";" + learned,
                Settings.resolve("policy=" + out, new Properties(), Map.of()).get(ConfigKey.MODEL_SHA256));
    }

    @Test
    void writesNothingAndNamesTheFileWhenALogCannotBeRead() throws Exception {
        Path missing = dir.resolve("missing.jsonl");
        Path out = dir.resolve("learned.properties");
        CommandRun run = CommandRun.of("learn", "--out", out.toString(), missing.toString());

        assertEquals(2, run.status());
        assertEquals("safeload learn: " + missing + ": no such file or directory\n", run.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void rejectsAnInvalidBasePolicyNamingItsLine() throws Exception {
        Path base = Files.writeString(dir.resolve("base.properties"), "mode=audit\nserial.alow=com.acme.*\n");
        CommandRun run = CommandRun.of("learn", "--base", base.toString(), "--out", dir.resolve("o").toString(),
                benignAuditLogs().toString());

        assertEquals(2, run.status());
        assertTrue(run.err().startsWith("safeload learn: --base: policy file " + base + " line 2: unknown key"
                + " \"serial.alow\""), run.err());
    }

    @Test
    void requiresOutAndALog() {
        CommandRun noOut = CommandRun.of("learn", "x.jsonl");
        assertEquals(2, noOut.status());
        assertTrue(noOut.err().startsWith("safeload learn: --out POLICY is required\nusage: learn --out POLICY"),
                noOut.err());
        assertEquals(2, CommandRun.of("learn", "--out", "p.properties").status());
    }
}
