package dev.safeload.it.victim.docs;

import java.math.BigDecimal;

/** One line of an {@link Order}. */
public class LineItem {
    public String sku;
    public int quantity;
    public BigDecimal price;

    @Override
    public String toString() {
        return sku + "x" + quantity + "@" + price;
    }
}
