package dev.safeload.bench.documents;

import java.util.List;
import java.util.Map;

/** A YAML config a service reads, tagged with its class. */
public class ServiceConfig {
    public String name;
    public int replicas;
    public Map<String, String> labels;
    public List<Map<String, Object>> endpoints;
}
