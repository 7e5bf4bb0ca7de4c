package dev.safeload.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.safeload.fuzz.SeedWarmUp;
import dev.safeload.policy.Policy;
import org.junit.jupiter.api.BeforeAll;

/**
 * The policy file parser and compiler, as the agent reads {@code policy=FILE} at start and on
 * reload and as {@code check-policy} does: a policy or a ConfigException naming the problem,
 * nothing else. The model part is compiled lazily, so it is forced here.
 */
public class PolicyFileFuzzTest {

    /** Before fuzz.sh's fuzzing starts (not in the build's replay): see {@link SeedWarmUp}. */
    @BeforeAll
    static void warmUp() {
        SeedWarmUp.replay(PolicyFileFuzzTest.class, "policy", PolicyFileFuzzTest::fuzzerTestOneInput);
    }

    public static void fuzzerTestOneInput(byte[] data) {
        Policy policy;
        try {
            policy = PolicyCompiler.compile(Settings.of(PolicyFile.parse(data, "fuzz policy"), "fuzz policy"));
        } catch (ConfigException e) {
            return;
        }
        policy.model();
        policy.serial();
    }

    @FuzzTest(maxDuration = "30s")
    void policy(byte[] data) {
        fuzzerTestOneInput(data);
    }
}
