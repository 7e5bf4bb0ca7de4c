package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.ViolationLog;
import dev.safeload.it.victim.Victim;
import dev.safeload.it.victim.WekaPrediction;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The staging-to-production workflow end to end, in real JVMs: audit a real Weka model and a
 * gadget chain, learn a policy from the log, enforce it. The model loads, the gadget is refused
 * and learn warned about it.
 */
class LearnRoundTripTest {

    static java.util.stream.Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("jdks")
    void learnedPolicyLoadsTheObservedModelAndStillRefusesTheGadget(Jdks.Jdk jdk) throws Exception {
        Path dir = Files.createTempDirectory("safeload-learn-");
        Path log = dir.resolve("audit.jsonl");
        Path model = dir.resolve("points.model");
        weka.core.SerializationHelper.write(model.toString(), WekaPrediction.train());
        Path markerAudit = dir.resolve("pwned-audit");
        Path markerEnforce = dir.resolve("pwned-enforce");
        Path gadgetAudit = dir.resolve("audit-gadget.ser");
        Files.write(gadgetAudit, Payloads.serialize(Payloads.commonsCollections3(markerAudit.toString())));
        Path gadgetEnforce = dir.resolve("enforce-gadget.ser");
        Files.write(gadgetEnforce, Payloads.serialize(Payloads.commonsCollections3(markerEnforce.toString())));

        String audit = "mode=audit,log=" + log;
        ForkedJvm.Result stagingModel = ForkedJvm.on(jdk).workDir(dir).withAgent(audit)
                .runMain(Victim.class, "weka-predict", model.toString());
        assertTrue(stagingModel.stdout().contains("prediction=pos"), stagingModel::toString);
        ForkedJvm.on(jdk).workDir(dir).withAgent(audit).runMain(Victim.class, "read", gadgetAudit.toString());
        assertTrue(Files.exists(markerAudit), "audit mode lets the chain run");
        assertTrue(ViolationLog.withAction(ViolationLog.read(log), "audit").size() > 2);

        Path learned = dir.resolve("learned.properties");
        ForkedJvm.Result learn = ForkedJvm.on(Jdks.current()).workDir(dir)
                .runJar(ForkedJvm.agentJar(), "learn", "--out", learned.toString(), log.toString());
        assertEquals(3, learn.exitCode(), () -> "learn must fail on gadget classes without --allow-dangerous\n" + learn);
        assertTrue(learn.stderr().contains("org.apache.commons.collections.keyvalue.TiedMapEntry"), learn::toString);
        assertTrue(learn.stderr().contains(log.toString()), () -> "the warning names the log\n" + learn);
        // The chain's accomplices, which are no gadget by themselves, come only from the attack's stream.
        String learnedText = Files.readString(learned);
        String allowValue = learnedText.substring(learnedText.indexOf("serial.allow="));
        for (String accomplice : new String[] {"java.io.FileOutputStream", "java.lang.Class",
                "org.apache.commons.collections.Transformer"}) {
            assertFalse(allowValue.lines().anyMatch(l -> l.strip().replace(";\\", "").equals(accomplice)),
                    () -> accomplice + " must not be a plain allow entry:\n" + learnedText);
            assertTrue(learnedText.contains("DANGEROUS: " + accomplice + ": named only in streams that also carried a known gadget"),
                    () -> accomplice + " is commented out with the reason:\n" + learnedText);
        }

        String enforce = "policy=" + learned + ",log=" + dir.resolve("enforce.jsonl");
        ForkedJvm.Result production = ForkedJvm.on(jdk).workDir(dir).withAgent(enforce)
                .runMain(Victim.class, "weka-predict", model.toString());
        assertTrue(production.stdout().contains("prediction=pos"), production::toString);
        assertEquals(0, ViolationLog.read(dir.resolve("enforce.jsonl")).stream()
                .filter(e -> "alert".equals(e.path("event.kind").asText())).count(), production::toString);

        ForkedJvm.Result attack = ForkedJvm.on(jdk).workDir(dir).withAgent(enforce)
                .runMain(Victim.class, "read", gadgetEnforce.toString());
        assertTrue(attack.stdout().contains("RESULT refused"), attack::toString);
        assertFalse(Files.exists(markerEnforce));
    }
}
