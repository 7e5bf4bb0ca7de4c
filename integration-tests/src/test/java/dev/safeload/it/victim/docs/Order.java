package dev.safeload.it.victim.docs;

import java.util.List;
import java.util.Map;

/** A DTO a JSON API reads with polymorphic typing on: a list of items and free-form metadata. */
public class Order {
    public String id;
    public List<LineItem> items;
    public Map<String, Object> metadata;

    @Override
    public String toString() {
        return "Order[id=" + id + ", items=" + items + ", metadata=" + metadata + "]";
    }
}
