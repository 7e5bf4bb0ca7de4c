package dev.safeload.it.victim;

/**
 * An immutable value an RPC service returns: final fields, no no-argument constructor, not
 * {@code Serializable}. Kryo can build it only through Objenesis, without its constructor.
 */
public final class RpcQuote {
    private final String symbol;
    private final double price;

    public RpcQuote(String symbol, double price) {
        if (price < 0) {
            throw new IllegalArgumentException("negative price");
        }
        this.symbol = symbol;
        this.price = price;
    }

    @Override
    public String toString() {
        return "RpcQuote[" + symbol + " " + price + "]";
    }
}
