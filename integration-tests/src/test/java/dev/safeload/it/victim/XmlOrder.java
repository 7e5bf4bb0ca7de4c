package dev.safeload.it.victim;

import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A DTO of the kind a service reads from XML: a bean with an enum, a list, a map, a date and an array. */
public class XmlOrder {

    /** The order's state, an enum as XMLEncoder writes it ({@code Enum.valueOf}). */
    public enum Status { OPEN, PAID }

    private String id;
    private int quantity;
    private Status status;
    private List<String> lines = new ArrayList<>();
    private Map<String, Integer> stock = new HashMap<>();
    private Date placed;
    private String[] tags;

    public String getId() {
        return id;
    }

    public void setId(String id) {
        this.id = id;
    }

    public int getQuantity() {
        return quantity;
    }

    public void setQuantity(int quantity) {
        this.quantity = quantity;
    }

    public Status getStatus() {
        return status;
    }

    public void setStatus(Status status) {
        this.status = status;
    }

    public List<String> getLines() {
        return lines;
    }

    public void setLines(List<String> lines) {
        this.lines = lines;
    }

    public Map<String, Integer> getStock() {
        return stock;
    }

    public void setStock(Map<String, Integer> stock) {
        this.stock = stock;
    }

    public Date getPlaced() {
        return placed;
    }

    public void setPlaced(Date placed) {
        this.placed = placed;
    }

    public String[] getTags() {
        return tags;
    }

    public void setTags(String[] tags) {
        this.tags = tags;
    }

    /** Not a bean accessor: an XMLDecoder document may call it only once xmldecoder.allowMethods lists it. */
    public void addLine(String line) {
        lines.add(line);
    }

    /** A sample order with every kind of field set. */
    public static XmlOrder sample() {
        XmlOrder order = new XmlOrder();
        order.setId("A-17");
        order.setQuantity(3);
        order.setStatus(Status.PAID);
        order.getLines().add("widget");
        order.getStock().put("widget", 12);
        order.setPlaced(new Date(1_700_000_000_000L));
        order.setTags(new String[] {"priority", "gift"});
        return order;
    }

    @Override
    public String toString() {
        return "XmlOrder " + id + " x" + quantity + " " + status + " " + lines + " " + stock + " " + placed.getTime()
                + " " + String.join("+", tags);
    }
}
