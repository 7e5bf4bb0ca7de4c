import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A minimal inference server for bench/startup.sh: loads an ONNX model through ONNX Runtime at
 * start (as a real server does before it takes traffic), runs it once, then answers
 * {@code GET /healthz} with the model's output. Compiled by the script against the
 * onnxruntime jar: {@code OnnxServer MODEL} (the model takes X float[1][4] and gives Y).
 */
public class OnnxServer {
    public static void main(String[] args) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = env.createSession(args[0], new OrtSession.SessionOptions());
        String answer;
        try (OnnxTensor x = OnnxTensor.createTensor(env, new float[][] {{1f, 2f, 3f, 4f}});
             OrtSession.Result out = session.run(Map.of("X", x))) {
            answer = java.util.Arrays.toString(((float[][]) out.get(0).getValue())[0]);
        }
        byte[] body = ("{\"status\":\"ok\",\"y\":\"" + answer + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/healthz", exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        System.out.println("onnx server listening on http://127.0.0.1:" + server.getAddress().getPort());
        System.out.flush();
    }
}
