package dev.safeload.bench.documents;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;

/** The documents {@link DocumentReadBenchmark} and {@link DocumentProbe} read. */
final class Documents {

    /** A config tagged with its class, as SnakeYAML reads it with a new {@code Yaml} per document. */
    static final String YAML = "!!dev.safeload.bench.documents.ServiceConfig\nname: scorer\nreplicas: 3\n"
            + "labels: {team: ml, tier: gold}\nendpoints:\n  - {path: /predict, port: 8080}\n"
            + "  - {path: /health, port: 8081}\n";

    private Documents() {
    }

    /** An order of 8 line items: with default typing NON_FINAL, 17 type ids a document. */
    static Order order() {
        Order order = new Order();
        order.id = "A-17";
        order.items = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Order.LineItem item = new Order.LineItem();
            item.sku = "SKU-" + i;
            item.quantity = i + 1;
            item.price = new BigDecimal("9.50").add(BigDecimal.valueOf(i));
            order.items.add(item);
        }
        order.metadata = new LinkedHashMap<>();
        order.metadata.put("channel", "web");
        order.metadata.put("tags", new ArrayList<>(List.of("gift", "express")));
        return order;
    }

    /**
     * A negative control: an unlisted class named by a type id or a tag must be refused under the
     * agent and read without it. A JVM whose options did not take effect fails here.
     *
     * @param mapper the mapper the reads use (default typing on)
     * @param agent whether the agent should be in force
     * @param label the configuration, for the message
     */
    static void checkAgentInForce(ObjectMapper mapper, boolean agent, String label) throws Exception {
        boolean refused;
        try {
            mapper.readValue("[\"java.util.concurrent.atomic.AtomicInteger\",7]", Object.class);
            refused = false;
        } catch (JsonMappingException e) {
            refused = e.getMessage().startsWith("safeload:");
        }
        boolean yamlRefused;
        try {
            new Yaml().load("!!java.util.concurrent.atomic.AtomicInteger [7]");
            yamlRefused = false;
        } catch (YAMLException e) {
            yamlRefused = String.valueOf(e.getMessage()).startsWith("safeload:");
        }
        if (refused != agent || yamlRefused != agent) {
            throw new IllegalStateException(label + ": AtomicInteger was " + (refused ? "refused" : "read")
                    + " by Jackson and " + (yamlRefused ? "refused" : "read") + " by SnakeYAML");
        }
    }
}
