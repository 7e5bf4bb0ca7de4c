package dev.safeload.policy;

import java.util.function.Supplier;

/** A value made on first use and kept: for what premain need not pay for before the host starts. */
public final class Once<T> implements Supplier<T> {

    private Supplier<? extends T> maker;
    private volatile T value;

    private Once(Supplier<? extends T> maker) {
        this.maker = maker;
    }

    /** {@code maker} runs at most once, on the first {@link #get()}. */
    public static <T> Once<T> of(Supplier<? extends T> maker) {
        return new Once<>(maker);
    }

    /** A value that is already made. */
    public static <T> Once<T> ready(T value) {
        Once<T> once = new Once<>(null);
        once.value = value;
        return once;
    }

    @Override
    public T get() {
        T v = value;
        if (v == null) {
            synchronized (this) {
                v = value;
                if (v == null) {
                    v = maker.get();
                    value = v;
                    maker = null;
                }
            }
        }
        return v;
    }
}
