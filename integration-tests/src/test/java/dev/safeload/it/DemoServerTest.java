package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
