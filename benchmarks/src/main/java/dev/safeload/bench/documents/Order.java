package dev.safeload.bench.documents;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** A typed JSON document: an order with line items and free-form metadata. */
public class Order {
    public String id;
    public List<LineItem> items;
    public Map<String, Object> metadata;

    /** One line of an order. */
    public static class LineItem {
        public String sku;
        public int quantity;
        public BigDecimal price;
    }
}
