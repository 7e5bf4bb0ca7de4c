package dev.safeload.it.victim.docs;

import java.util.List;
import java.util.Map;

/** The kind of configuration a service reads from YAML: a JavaBean with a map and a list. */
public class ServiceConfig {
    private String name;
    private int replicas;
    private Map<String, String> labels;
    private List<Endpoint> endpoints;

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public int getReplicas() {
        return replicas;
    }

    public void setReplicas(int replicas) {
        this.replicas = replicas;
    }

    public Map<String, String> getLabels() {
        return labels;
    }

    public void setLabels(Map<String, String> labels) {
        this.labels = labels;
    }

    public List<Endpoint> getEndpoints() {
        return endpoints;
    }

    public void setEndpoints(List<Endpoint> endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public String toString() {
        return "ServiceConfig[name=" + name + ", replicas=" + replicas + ", labels=" + labels + ", endpoints=" + endpoints + "]";
    }
}
