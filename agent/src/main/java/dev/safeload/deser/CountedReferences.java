package dev.safeload.deser;

import java.util.ArrayList;

/**
 * Hessian's reference list ({@code _refs} of {@code Hessian2Input} or {@code HessianInput}),
 * counting: {@code readObject} takes a back-reference's object from it with {@code get}, inline,
 * so that is where its expanded size is spent from the document's {@code serial.maxWork}
 * ({@link ReferenceBudget}), and the refusal thrown, as the {@code HessianProtocolException}
 * (an {@code IOException}) that {@code readObject} declares. {@code resetReferences} clears
 * the list, and so the budget; {@code HessianInput.init} drops it, and the next one is counted.
 * Each {@code add}, one per list, map or object read, samples the document's CPU.
 */
public final class CountedReferences extends ArrayList<Object> {

    private static final long serialVersionUID = 1L;

    private final transient ReferenceBudget budget = new ReferenceBudget();
    private final String library;
    private final String entryPoint;
    private final transient Class<?> hooked;
    private final String exceptionType;

    CountedReferences(String library, String entryPoint, Class<?> hooked, String exceptionType) {
        this.library = library;
        this.entryPoint = entryPoint;
        this.hooked = hooked;
        this.exceptionType = exceptionType;
    }

    @Override
    public Object get(int index) {
        Object referred = super.get(index);
        Throwable refusal = budget.refer(referred, library, entryPoint, hooked, exceptionType);
        if (refusal != null) {
            throw CountedReferences.<RuntimeException>sneaky(refusal);
        }
        return referred;
    }

    /**
     * {@code addRef}: a list, map or object begins; the document's CPU is sampled
     * ({@link ReferenceBudget#objectRead}), and a refusal thrown as {@link #get}'s is.
     */
    @Override
    public boolean add(Object ref) {
        Throwable refusal = budget.objectRead(ref == null ? "null" : ref.getClass(), ReferenceBudget.NANOS_PER_OBJECT,
                library, entryPoint, hooked, exceptionType);
        if (refusal != null) {
            throw CountedReferences.<RuntimeException>sneaky(refusal);
        }
        return super.add(ref);
    }

    @Override
    public void clear() {
        super.clear();
        budget.reset();
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
