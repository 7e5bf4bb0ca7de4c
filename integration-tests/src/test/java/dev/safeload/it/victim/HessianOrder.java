package dev.safeload.it.victim;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A Hessian RPC argument as services define them: Serializable, as Hessian's writer requires by default. */
public class HessianOrder implements Serializable {
    private static final long serialVersionUID = 1L;

    public String id;
    public int quantity;
    public List<String> tags = new ArrayList<>();
    public Map<String, Double> prices = new HashMap<>();

    public static HessianOrder sample() {
        HessianOrder order = new HessianOrder();
        order.id = "order-17";
        order.quantity = 3;
        order.tags.add("priority");
        order.prices.put("unit", 9.5);
        return order;
    }

    @Override
    public String toString() {
        return "HessianOrder[" + id + " x" + quantity + " " + tags + " " + prices + "]";
    }
}
