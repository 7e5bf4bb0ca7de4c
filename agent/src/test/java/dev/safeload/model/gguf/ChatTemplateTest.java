package dev.safeload.model.gguf;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelSource;
import dev.safeload.model.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Chat templates parsed as Jinja: the real templates of the major model families pass, and every
 * way into interpreter internals that a plain text search misses is refused. The attacks were
 * shown to work against Jinja2 without a sandbox ({@code chat-template-attacks/prove_attacks.py}).
 */
class ChatTemplateTest {

    private static String resource(String path) throws IOException {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<String> lines(String path) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : resource(path).split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static List<Finding> ggufWith(String template) throws IOException {
        byte[] bytes = new GgufCheckTest.GgufWriter().kvString("tokenizer.chat_template", template).build(0);
        return new GgufCheck().check(ModelSource.of("t.gguf", bytes, null), null);
    }

    @Test
    void passesTheRealTemplatesOfTheMajorModelFamilies() throws IOException {
        List<String> fixtures = lines("chat-templates/sources.txt");
        assertTrue(fixtures.size() >= 7, "fixtures listed: " + fixtures.size());
        for (String line : fixtures) {
            String file = line.split("\t")[0];
            String template = resource("chat-templates/" + file);
            assertDoesNotThrow(() -> ChatTemplate.check(template), file);
            List<Finding> findings = ggufWith(template);
            assertEquals(List.of("gguf.chat-template"), findings.stream().map(Finding::rule).toList(), file);
            assertEquals(Severity.INFO, findings.get(0).severity());
        }
    }

    @Test
    void passesTheShortTemplatesOfLlama2MistralChatMlAndPhi3() {
        List<String> templates = List.of(
                // Llama 2 chat (meta-llama/Llama-2-7b-chat-hf)
                "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message ="
                        + " messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message ="
                        + " false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') !="
                        + " (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate"
                        + " user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message !="
                        + " false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' +"
                        + " message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if"
                        + " message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif"
                        + " message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{%"
                        + " endfor %}",
                // Mistral / Mixtral v1 (mistralai/Mixtral-8x7B-Instruct-v0.1)
                "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 =="
                        + " 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...')"
                        + " }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]'"
                        + " }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{"
                        + " raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}",
                // ChatML
                "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] +"
                        + " '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n'"
                        + " }}{% endif %}",
                // Phi-3 mini instruct
                "{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\\n' +"
                        + " message['content'] + '<|end|>\\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\\n' +"
                        + " message['content'] + '<|end|>\\n'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>\\n'"
                        + " + message['content'] + '<|end|>\\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{"
                        + " '<|assistant|>\\n' }}{% else %}{{ eos_token }}{% endif %}",
                // DeepSeek V2 chat
                "{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}{{"
                        + " bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ 'User: ' +"
                        + " message['content'] + '\\n\\n' }}{% elif message['role'] == 'assistant' %}{{ 'Assistant: ' +"
                        + " message['content'] + eos_token }}{% elif message['role'] == 'system' %}{{ message['content'] +"
                        + " '\\n\\n' }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}");
        for (String template : templates) {
            assertDoesNotThrow(() -> ChatTemplate.check(template), template);
        }
    }

    @Test
    void refusesEveryWayIntoInterpreterInternals() throws IOException {
        List<String> attacks = lines("chat-template-attacks/attacks.txt");
        assertTrue(attacks.size() >= 20);
        for (String attack : attacks) {
            ChatTemplate.Refused refused = assertThrows(ChatTemplate.Refused.class, () -> ChatTemplate.check(attack),
                    attack);
            assertFalse(refused.getMessage().isBlank());
            List<Finding> findings = ggufWith(attack);
            assertTrue(findings.stream().anyMatch(f -> f.rule().equals("gguf.chat-template.escape")
                    && f.severity() == Severity.HIGH), attack + " -> " + findings);
        }
    }

    @Test
    void refusesEscapesThatSpellADunderWhateverTheNotation() {
        for (String spelling : List.of("\\x5f\\x5f", "\\u005f\\u005f", "\\U0000005f\\U0000005f", "\\137\\137",
                "\\N{LOW LINE}\\N{LOW LINE}", "_\\x5f", "__")) {
            String template = "{{ x['" + spelling + "globals'] }}";
            Exception e = assertThrows(ChatTemplate.Refused.class, () -> ChatTemplate.check(template), spelling);
            assertTrue(e.getMessage().contains("__"), e.getMessage());
        }
        assertDoesNotThrow(() -> ChatTemplate.check("{{ x['\\x41BC'] }}"), "an escape that spells no dunder");
    }

    @Test
    void keepsDataSubscriptsWithComputedIndexesButNotComputedNames() {
        assertDoesNotThrow(() -> ChatTemplate.check("{% for m in messages %}{{ messages[loop.index0 - 1]['role'] }}"
                + "{% endfor %}{% set ns = namespace(i=0) %}{% set ns.i = messages|length - 1 %}{{ messages[ns.i] }}"));
        assertThrows(ChatTemplate.Refused.class, () -> ChatTemplate.check("{{ messages[0][messages[0]|first] }}"));
        // A lookup table of the template, keyed by data, as Hermes' tool template does; reading on is refused.
        assertDoesNotThrow(() -> ChatTemplate.check("{%- macro t(spec) %}{%- set m = {'string': 'str'} %}"
                + "{%- if m[spec.type] is defined %}{{ m[spec.type] }}{% endif %}{% endmacro %}{{ t(tools[0]) }}"));
        assertThrows(ChatTemplate.Refused.class, () -> ChatTemplate.check(
                "{% set m = {'a': 1} %}{{ m[tools[0].type].x }}"));
        assertThrows(ChatTemplate.Refused.class, () -> ChatTemplate.check("{{ [x]|sort(attribute='a._b') }}"));
        assertThrows(ChatTemplate.Refused.class, () -> ChatTemplate.check(
                "{% for i in range(3) %}{% set i = 'x' %}{% endfor %}{{ messages[i] }}"), "i is not always a number");
        assertThrows(ChatTemplate.Refused.class, () -> ChatTemplate.check(
                "{% set k = messages[0].content.split(',')[0] %}{{ messages[k] }}"));
    }

    @Test
    void refusesJavaReflectionForJavaRenderers() {
        for (String attack : List.of("{{ ''.getClass().forName('java.lang.Runtime') }}", "{{ x.class.classLoader }}",
                "{{ messages['getClass'] }}")) {
            assertThrows(ChatTemplate.Refused.class, () -> ChatTemplate.check(attack), attack);
        }
    }

    @Test
    void refusesBrokenTemplatesItCannotRead() {
        for (String broken : List.of("{{ x ", "{% if x %}", "{% endif %}", "{{ 'open }}", "{# never closed",
                "{% raw %}{{ x }}", "{{ x. }}", "{{ x(1)(2) }}", "{{ x @ y }}")) {
            assertThrows(ChatTemplate.Refused.class, () -> ChatTemplate.check(broken), broken);
        }
        assertDoesNotThrow(() -> ChatTemplate.check("{% raw %}{{ ''.__class__ }}{% endraw %} text {{ x }}"),
                "raw text is output, never evaluated");
    }

    @Test
    void refusesTemplateThatIsNotUtf8() throws IOException {
        GgufCheckTest.GgufWriter writer = new GgufCheckTest.GgufWriter();
        byte[] invalid = {'{', '{', ' ', (byte) 0xff, ' ', '}', '}'};
        writer.keyCount++;
        writer.str("tokenizer.chat_template").u32(8).u64(invalid.length);
        writer.body.writeBytes(invalid);
        byte[] bytes = writer.build(0);
        List<Finding> findings = new GgufCheck().check(ModelSource.of("t.gguf", bytes, null), null);
        assertTrue(findings.stream().anyMatch(f -> f.rule().equals("gguf.chat-template.escape")), findings.toString());
    }

    /**
     * Each of these recursed without counting its depth and ended in a StackOverflowError (which
     * the gate only catches); now they are refused by name, like nested brackets.
     */
    @Test
    void refusesDeepChainsOfNotSignsAndConditionalsByName() {
        for (String unit : List.of("not ", "- ", "+ ", "x if y else ")) {
            String template = "{{ " + unit.repeat(50_000) + "x }}";
            ChatTemplate.Refused refused = assertThrows(ChatTemplate.Refused.class, () -> ChatTemplate.check(template),
                    unit);
            assertTrue(refused.getMessage().contains("nest"), refused.getMessage());
        }
        assertDoesNotThrow(() -> ChatTemplate.check("{{ not not x }}{{ - -1 }}{{ a if b else c if d else e }}"));
    }

    /**
     * A template of the largest size the gate parses, all adjacent string literals (which Jinja
     * joins): joined pairwise it took a minute on a model load; in one builder, about a second on
     * the shared machine. The bound is a hang guard with a wide margin, not a speed claim.
     */
    @Test
    void joinsAMegabyteOfAdjacentStringLiteralsWithoutAHang() {
        String template = "{{ " + "'a'".repeat((GgufHeader.MAX_TEMPLATE_BYTES - 6) / 3) + " }}";
        assertTimeoutPreemptively(Duration.ofSeconds(15), () -> ChatTemplate.check(template));
    }

    @Test
    void allowsBreakAndContinueOnlyInsideALoop() {
        assertDoesNotThrow(() -> ChatTemplate.check("{% for m in messages %}{% if m.role == 'x' %}{% break %}{% endif %}"
                + "{% for t in m.tools %}{% continue %}{% endfor %}{% continue %}{% endfor %}"));
        for (String outside : List.of("{% break %}", "{% if x %}{% continue %}{% endif %}",
                "{% for m in messages %}{% endfor %}{% break %}")) {
            assertThrows(ChatTemplate.Refused.class, () -> ChatTemplate.check(outside), outside);
        }
    }
}
