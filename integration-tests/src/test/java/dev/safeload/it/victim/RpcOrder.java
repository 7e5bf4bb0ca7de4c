package dev.safeload.it.victim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An RPC request as a Kryo or Hessian service defines one: a plain class with a no-argument
 * constructor, not {@code Serializable} (Kryo never asks), and JDK collections inside.
 */
public class RpcOrder {
    public String id;
    public int quantity;
    public List<String> tags = new ArrayList<>();
    public Map<String, Double> prices = new HashMap<>();

    public RpcOrder() {
    }

    public static RpcOrder sample() {
        RpcOrder order = new RpcOrder();
        order.id = "order-17";
        order.quantity = 3;
        order.tags.add("priority");
        order.tags.add("eu-west");
        order.prices.put("unit", 9.5);
        order.prices.put("total", 28.5);
        return order;
    }

    @Override
    public String toString() {
        return "RpcOrder[" + id + " x" + quantity + " " + tags + " " + new java.util.TreeMap<>(prices) + "]";
    }
}
