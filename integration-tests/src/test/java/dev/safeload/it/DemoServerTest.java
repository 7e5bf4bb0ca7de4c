package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.demo.BuildArtifacts;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.Payloads;
import dev.safeload.it.support.ViolationLog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The demo inference server, started as the README's quick start starts it: under the agent
 * the attack gets HTTP 400 and the server keeps serving; without it, the attack runs.
 */
class DemoServerTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Path demoJar() {
        Path jar = Path.of(System.getProperty("it.demoJar", "../demo-app/target/safeload-demo.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run `mvn -B verify` from the repository root");
        }
        return jar.toAbsolutePath();
    }

    private record Server(Process process, String url, Path dir) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
    }

    private static Server start(boolean withAgent) throws Exception {
        Path dir = Files.createTempDirectory("safeload-demo-it-");
        ForkedJvm jvm = ForkedJvm.on(Jdks.current()).workDir(dir);
        if (withAgent) {
            jvm.withAgent("");
        }
        Process process = jvm.startJar(demoJar(), "--port", "0");
        Pattern listening = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && process.isAlive()) {
            Path out = dir.resolve("stdout.txt");
            if (Files.exists(out)) {
                Matcher m = listening.matcher(Files.readString(out));
                if (m.find()) {
                    return new Server(process, m.group(1), dir);
                }
            }
            Thread.sleep(100);
        }
        process.destroyForcibly();
        throw new AssertionError("the demo did not start:\n" + Files.readString(dir.resolve("stderr.txt")));
    }

    private static HttpResponse<String> post(String url, byte[] body, String type) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", type)
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void refusesAttackWithHttp400AndKeepsServingUnderTheAgent() throws Exception {
        try (Server server = start(true)) {
            assertEquals(200, get(server.url() + "/healthz").statusCode());
            assertTrue(get(server.url() + "/healthz").body().contains("\"model\":\"loaded\""));

            HttpResponse<String> prediction = post(server.url() + "/v1/predict",
                    "{\"amount\":4200,\"hour\":3,\"country_risk\":0.7}".getBytes(), "application/json");
            assertEquals(200, prediction.statusCode(), prediction::body);
            assertTrue(prediction.body().contains("\"risk\":"), prediction::body);

            Path marker = server.dir().resolve("pwned");
            HttpResponse<String> attack = post(server.url() + "/v1/legacy/session",
                    Payloads.serialize(Payloads.commonsCollections3(marker.toString())), "application/octet-stream");
            assertEquals(400, attack.statusCode(), attack::body);
            assertTrue(attack.body().contains("\"error\":\"rejected\""), attack::body);
            assertFalse(Files.exists(marker), "the attack ran under the agent");

            assertEquals(200, get(server.url() + "/healthz").statusCode());
            assertEquals(1, ViolationLog.withAction(ViolationLog.read(server.dir().resolve("safeload-violations.jsonl")),
                    "refuse").size());
        }
    }

    @Test
    void attackRunsWithoutTheAgent() throws Exception {
        try (Server server = start(false)) {
            Path marker = server.dir().resolve("pwned");
            post(server.url() + "/v1/legacy/session",
                    Payloads.serialize(Payloads.commonsCollections3(marker.toString())), "application/octet-stream");
            assertTrue(Files.exists(marker), "the chain must really run in the unprotected demo");
        }
    }

    /** The path of a shipped model, as the demo's printed curl line names it. */
    private static String shippedModel(Server server, String name) throws Exception {
        Pattern line = Pattern.compile("-d '\\{\"path\":\"([^\"]*/" + Pattern.quote(name) + ")\"\\}' "
                + Pattern.quote(server.url()) + "/v1/models/load");
        // The curl lines follow the "listening on" line the server was waited for.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String stdout;
        do {
            stdout = Files.readString(server.dir().resolve("stdout.txt"));
            Matcher m = line.matcher(stdout);
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no curl line for " + name + " in:\n" + stdout);
    }

    private static HttpResponse<String> loadModel(Server server, String path) throws Exception {
        return post(server.url() + "/v1/models/load", ("{\"path\":\"" + path + "\"}").getBytes(), "application/json");
    }

    @Test
    void loadsTheShippedSafeModelAndRefusesTheMaliciousOneWithHttp400UnderTheAgent() throws Exception {
        Path marker = Path.of(BuildArtifacts.MODEL_MARKER);
        Files.deleteIfExists(marker);
        try (Server server = start(true)) {
            HttpResponse<String> safe = loadModel(server, shippedModel(server, "risk-j48.model"));
            assertEquals(200, safe.statusCode(), safe::body);
            assertTrue(safe.body().contains("\"classifier\":\"weka.classifiers.trees.J48\""), safe::body);

            String trojan = shippedModel(server, "risk-j48-trojan.model");
            HttpResponse<String> refused = loadModel(server, trojan);
            assertEquals(400, refused.statusCode(), refused::body);
            assertTrue(refused.body().contains("\"error\":\"rejected\""), refused::body);
            assertTrue(refused.body().contains("\"message\":\"safeload: refused model " + trojan), refused::body);
            assertFalse(Files.exists(marker), "the malicious model ran under the agent");

            HttpResponse<String> prediction = post(server.url() + "/v1/predict",
                    "{\"amount\":4200,\"hour\":3,\"country_risk\":0.7}".getBytes(), "application/json");
            assertEquals(200, prediction.statusCode(), "the safe model still serves: " + prediction.body());
            var refusals = ViolationLog.withAction(ViolationLog.read(server.dir().resolve("safeload-violations.jsonl")),
                    "refuse");
            assertEquals(trojan, refusals.get(0).path("file.path").asText(), refusals::toString);
            assertEquals("weka", refusals.get(0).path("safeload.library").asText(), refusals::toString);
        }
    }

    @Test
    void maliciousModelRunsItsChainWhenLoadedWithoutTheAgent() throws Exception {
        Path marker = Path.of(BuildArtifacts.MODEL_MARKER);
        Files.deleteIfExists(marker);
        try (Server server = start(false)) {
            assertEquals(200, loadModel(server, shippedModel(server, "risk-j48.model")).statusCode());
            HttpResponse<String> loaded = loadModel(server, shippedModel(server, "risk-j48-trojan.model"));
            assertTrue(loaded.body().contains("\"error\":\"not_a_model\""), loaded::body);
            assertTrue(Files.exists(marker), "the shipped malicious model must really run its chain unprotected");
        } finally {
            Files.deleteIfExists(marker);
        }
    }
}
