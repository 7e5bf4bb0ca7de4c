package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.support.ConsoleProcess;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.ViolationLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** safeload.stream: one value for every event of one stream, another for the next stream. */
class StreamIdentityTest {

    @Test
    void everyEventOfOneStreamCarriesItsIdAndTheNextStreamAnother() throws Exception {
        Path dir = Files.createTempDirectory("safeload-stream-id-");
        Path log = dir.resolve("v.jsonl");
        Path first = dir.resolve("first.ser");
        Path second = dir.resolve("second.ser");
        Files.write(first, Payloads.serialize(Payloads.commonsCollections3(dir.resolve("pwned-1").toString())));
        Files.write(second, Payloads.serialize(Payloads.commonsCollections3(dir.resolve("pwned-2").toString())));
        try (ConsoleProcess console = ConsoleProcess.start(Jdks.current(), dir, "mode=audit,log=" + log)) {
            console.send("read " + first);
            console.send("read " + second);
        }
        List<JsonNode> audits = ViolationLog.withAction(ViolationLog.read(log), "audit");
        assertTrue(audits.size() >= 4, audits::toString);
        Set<String> ids = new TreeSet<>();
        audits.forEach(e -> ids.add(e.path("safeload.stream").asText()));
        assertEquals(2, ids.size(), () -> "two streams, two ids: " + ids);
        String firstId = audits.get(0).path("safeload.stream").asText();
        String lastId = audits.get(audits.size() - 1).path("safeload.stream").asText();
        assertNotEquals(firstId, lastId);
        assertTrue(firstId.matches("[0-9a-f]+-\\d+"), firstId);
        assertEquals(firstId.substring(0, firstId.indexOf('-')), lastId.substring(0, lastId.indexOf('-')),
                "one JVM, one prefix");
    }
}
