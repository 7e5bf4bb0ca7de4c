package dev.safeload.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import weka.classifiers.Classifier;
import weka.core.DenseInstance;
import weka.core.Instance;
import weka.core.Instances;
import weka.core.SerializationHelper;

/**
 * The demo inference server: a Weka model behind {@code POST /v1/predict}, the classic
 * vulnerable endpoint {@code POST /v1/legacy/session} that reads a Java-serialized body, and
 * {@code POST /v1/models/load}, which loads a model file by path with Weka's
 * {@code SerializationHelper.read(String)}, as a model registry hands files to a server.
 */
public final class DemoServer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private volatile Classifier model;
    private volatile String modelError;
    private final Instances header = BuildArtifacts.header();

    private DemoServer(Classifier model, String modelError) {
        this.model = model;
        this.modelError = modelError;
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--port") && i + 1 < args.length) {
                port = Integer.parseInt(args[++i]);
            }
        }
        Classifier model = null;
        String modelError = null;
        try (InputStream in = DemoServer.class.getResourceAsStream("/models/risk-j48.model")) {
            model = (Classifier) SerializationHelper.read(in);
        } catch (Exception e) {
            modelError = e.toString();
            System.err.println("demo: cannot load the model: " + e);
        }
        DemoServer demo = new DemoServer(model, modelError);

        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.createContext("/healthz", demo::health);
        server.createContext("/v1/predict", demo::predict);
        server.createContext("/v1/legacy/session", demo::legacySession);
        server.createContext("/v1/models/load", demo::loadModel);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();

        Path payloads = extractPayloads();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        System.out.println("Safeload demo inference server listening on " + url);
        System.out.println("Try:");
        System.out.println("  curl -s " + url + "/healthz");
        System.out.println("  # load a model file by path, as a model registry would; the safe model, then one whose file"
                + " is a gadget chain that creates " + BuildArtifacts.MODEL_MARKER + " if it is loaded");
        for (String file : new String[] {"risk-j48.model", "risk-j48-trojan.model"}) {
            System.out.println("  curl -s -X POST -H 'Content-Type: application/json' -d '{\"path\":\""
                    + payloads.resolve(file) + "\"}' " + url + "/v1/models/load");
        }
        System.out.println("  curl -s -X POST -H 'Content-Type: application/json' -d '{\"amount\":4200,\"hour\":3,\"country_risk\":0.7}' "
                + url + "/v1/predict");
        System.out.println("  curl -s -X POST --data-binary @" + payloads.resolve("benign-session.ser") + " "
                + url + "/v1/legacy/session");
        System.out.println("  # the attack: a commons-collections 3.1 gadget chain that creates "
                + BuildArtifacts.DEMO_MARKER + " if it runs");
        System.out.println("  curl -s -X POST --data-binary @" + payloads.resolve("attack-commons-collections.ser") + " "
                + url + "/v1/legacy/session; ls -l " + BuildArtifacts.DEMO_MARKER);
        System.out.flush();
    }

    private static Path extractPayloads() throws IOException {
        Path dir = Files.createTempDirectory("safeload-demo-");
        for (String name : new String[] {"payloads/benign-session.ser", "payloads/attack-commons-collections.ser",
            "models/risk-j48.model", "models/risk-j48-trojan.model"}) {
            try (InputStream in = DemoServer.class.getResourceAsStream("/" + name)) {
                Files.copy(in, dir.resolve(name.substring(name.indexOf('/') + 1)));
            }
        }
        return dir;
    }

    private void health(HttpExchange exchange) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("status", "ok").put("model", model != null ? "loaded" : "unavailable");
        respond(exchange, 200, body);
    }

    private void predict(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            respond(exchange, 405, error("method_not_allowed", "use POST"));
            return;
        }
        if (model == null) {
            respond(exchange, 503, error("model_unavailable", modelError));
            return;
        }
        try (InputStream in = exchange.getRequestBody()) {
            JsonNode request = JSON.readTree(in);
            double[] values = {
                number(request, "amount"), number(request, "hour"), number(request, "country_risk"), 0,
            };
            Instance row = new DenseInstance(1.0, values);
            row.setDataset(header);
            row.setClassMissing();
            double[] distribution = model.distributionForInstance(row);
            int best = distribution[1] > distribution[0] ? 1 : 0;
            ObjectNode body = JSON.createObjectNode().put("risk", header.classAttribute().value(best));
            ObjectNode probabilities = body.putObject("probabilities");
            probabilities.put("low", distribution[0]).put("high", distribution[1]);
            respond(exchange, 200, body);
        } catch (IllegalArgumentException | IOException e) {
            respond(exchange, 400, error("bad_request", e.getMessage()));
        } catch (Exception e) {
            respond(exchange, 500, error("prediction_failed", e.toString()));
        }
    }

    private static double number(JsonNode request, String field) {
        JsonNode value = request == null ? null : request.get(field);
        if (value == null || !value.isNumber()) {
            throw new IllegalArgumentException("field \"" + field + "\" must be a number");
        }
        return value.asDouble();
    }

    /** The classic vulnerable endpoint: it deserializes whatever the client sends. */
    private void legacySession(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            respond(exchange, 405, error("method_not_allowed", "use POST"));
            return;
        }
        try (ObjectInputStream in = new ObjectInputStream(exchange.getRequestBody())) {
            Object session = in.readObject();
            respond(exchange, 200, JSON.createObjectNode().put("session", String.valueOf(session)));
        } catch (InvalidClassException e) {
            respond(exchange, 400, error("rejected", e.getMessage()));
        } catch (IOException | ClassNotFoundException e) {
            respond(exchange, 400, error("bad_request", e.toString()));
        } catch (RuntimeException e) {
            respond(exchange, 500, error("internal_error", e.toString()));
        }
    }

    /**
     * Loads the model file named by {@code {"path": ...}} through Weka's hooked
     * {@code SerializationHelper.read(String)} and serves it from then on. Under the agent the
     * file is checked before Weka opens it; a refusal is HTTP 400 with the {@code safeload:} reason.
     */
    private void loadModel(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            respond(exchange, 405, error("method_not_allowed", "use POST"));
            return;
        }
        String path;
        try (InputStream in = exchange.getRequestBody()) {
            JsonNode request = JSON.readTree(in);
            JsonNode value = request == null ? null : request.get("path");
            if (value == null || !value.isTextual()) {
                respond(exchange, 400, error("bad_request", "field \"path\" must name a model file"));
                return;
            }
            path = value.asText();
        } catch (IOException e) {
            respond(exchange, 400, error("bad_request", e.getMessage()));
            return;
        }
        Object loaded;
        try {
            loaded = SerializationHelper.read(path);
        } catch (Exception e) {
            String reason = safeloadReason(e);
            respond(exchange, 400, reason != null ? error("rejected", reason) : error("load_failed", e.toString()));
            return;
        }
        if (!(loaded instanceof Classifier classifier)) {
            respond(exchange, 400, error("not_a_model", path + " holds a "
                    + (loaded == null ? "null" : loaded.getClass().getName()) + ", not a Weka classifier"));
            return;
        }
        model = classifier;
        modelError = null;
        respond(exchange, 200, JSON.createObjectNode().put("loaded", path)
                .put("classifier", classifier.getClass().getName()));
    }

    /** The agent's refusal message, from the exception or its causes, or null. */
    private static String safeloadReason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.contains("safeload:")) {
                return message.substring(message.indexOf("safeload:"));
            }
        }
        return null;
    }

    private static ObjectNode error(String code, String message) {
        return JSON.createObjectNode().put("error", code).put("message", message);
    }

    private static void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
