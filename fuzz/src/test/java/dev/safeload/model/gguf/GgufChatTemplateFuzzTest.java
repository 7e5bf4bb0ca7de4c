package dev.safeload.model.gguf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.safeload.fuzz.ScanHarness;
import dev.safeload.fuzz.SeedWarmUp;
import dev.safeload.model.Finding;
import dev.safeload.model.ScanResult;
import dev.safeload.model.Severity;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * The GGUF chat-template parser on template text (Jinja), as {@code GgufHeader} hands it a
 * {@code tokenizer.chat_template} value: it returns, or refuses with {@link ChatTemplate.Refused}
 * (the gate's HIGH {@code gguf.chat-template.escape}); nothing else, not even a StackOverflowError
 * (which the gate would also declare), since the parser refuses deep nesting by name. Then the same text inside a GGUF file, through the
 * scanner: the gate must reach the template and block exactly when the parser refused it.
 */
public class GgufChatTemplateFuzzTest {

    /** Before fuzz.sh's fuzzing starts (not in the build's replay): see {@link SeedWarmUp}. */
    @BeforeAll
    static void warmUp() {
        SeedWarmUp.replay(GgufChatTemplateFuzzTest.class, "chatTemplate", GgufChatTemplateFuzzTest::fuzzerTestOneInput);
    }

    public static void fuzzerTestOneInput(byte[] data) {
        String template;
        try {
            // Decoded as the gate decodes it; bytes that are not UTF-8 are refused before parsing.
            template = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            template = null;
        }
        boolean refused = template == null;
        if (template != null) {
            try {
                ChatTemplate.check(template);
            } catch (ChatTemplate.Refused e) {
                refused = true;
            }
            // No StackOverflowError either: the gate would catch one, but every recursive
            // production counts toward the parser's nesting limit, so one here is a bug.
        }

        ScanResult result = ScanHarness.scan("fuzz.gguf", ggufWithTemplate(data));
        List<Finding> findings = result.findings();
        if (findings.stream().noneMatch(f -> f.rule().equals("gguf.chat-template"))) {
            throw new AssertionError("the gate did not reach the template: " + findings);
        }
        boolean blocked = findings.stream().anyMatch(f -> f.rule().startsWith("gguf.chat-template.")
                && f.severity() == Severity.HIGH);
        if (blocked != refused) {
            throw new AssertionError("the parser " + (refused ? "refused" : "accepted") + " the template, the gate "
                    + (blocked ? "blocked" : "did not block") + ": " + findings);
        }
    }

    /** GGUF v3, no tensors, one key: {@code tokenizer.chat_template} holding {@code template}. */
    static byte[] ggufWithTemplate(byte[] template) {
        byte[] key = "tokenizer.chat_template".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(4 + 4 + 8 + 8 + 8 + key.length + 4 + 8 + template.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(0).putLong(1);
        b.putLong(key.length).put(key).putInt(GgufValueType.STRING.ordinal()).putLong(template.length).put(template);
        return b.array();
    }

    /** In the build: replays src/test/resources/dev/safeload/model/gguf/GgufChatTemplateFuzzTestInputs/chatTemplate. */
    @FuzzTest(maxDuration = "30s")
    void chatTemplate(byte[] data) {
        fuzzerTestOneInput(data);
    }
}
