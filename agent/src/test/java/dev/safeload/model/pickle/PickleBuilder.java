package dev.safeload.model.pickle;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes pickle bytes opcode by opcode, for fixtures: nothing here runs Python. */
public final class PickleBuilder {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public static PickleBuilder proto(int v) {
        return new PickleBuilder().op(PickleOp.PROTO).u8(v);
    }

    public static PickleBuilder protocol0() {
        return new PickleBuilder();
    }

    public PickleBuilder op(PickleOp op) {
        out.write(op.code);
        return this;
    }

    public PickleBuilder u8(int v) {
        out.write(v);
        return this;
    }

    public PickleBuilder le(long v, int n) {
        for (int i = 0; i < n; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    public PickleBuilder raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    public PickleBuilder text(String s) {
        return raw(s.getBytes(StandardCharsets.UTF_8));
    }

    public PickleBuilder global(String module, String name) {
        return op(PickleOp.GLOBAL).text(module + "\n" + name + "\n");
    }

    public PickleBuilder inst(String module, String name) {
        return op(PickleOp.INST).text(module + "\n" + name + "\n");
    }

    public PickleBuilder str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return b.length < 256 ? op(PickleOp.SHORT_BINUNICODE).u8(b.length).raw(b) : op(PickleOp.BINUNICODE).le(b.length, 4).raw(b);
    }

    public PickleBuilder unicode4(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return op(PickleOp.BINUNICODE).le(b.length, 4).raw(b);
    }

    public PickleBuilder int1(int v) {
        return op(PickleOp.BININT1).u8(v);
    }

    public PickleBuilder binput(int i) {
        return op(PickleOp.BINPUT).u8(i);
    }

    public PickleBuilder binget(int i) {
        return op(PickleOp.BINGET).u8(i);
    }

    public PickleBuilder mark() {
        return op(PickleOp.MARK);
    }

    public PickleBuilder tuple() {
        return op(PickleOp.TUPLE);
    }

    public PickleBuilder reduce() {
        return op(PickleOp.REDUCE);
    }

    public PickleBuilder stop() {
        return op(PickleOp.STOP);
    }

    /** {@code callee(arg)} with a str argument: the classic payload shape. */
    public PickleBuilder call(String module, String name, String arg) {
        return global(module, name).mark().str(arg).tuple().reduce();
    }

    /**
     * A PyTorch-style state dict: an OrderedDict of {@code _rebuild_tensor_v2} calls on
     * persistent storages, as torch.save writes it.
     */
    public PickleBuilder stateDict(String... keys) {
        global("collections", "OrderedDict").op(PickleOp.EMPTY_TUPLE).reduce().mark();
        for (int i = 0; i < keys.length; i++) {
            str(keys[i]);
            tensor(String.valueOf(i));
        }
        return op(PickleOp.SETITEMS);
    }

    /** One {@code torch._utils._rebuild_tensor_v2} call on storage {@code key} (4 floats). */
    public PickleBuilder tensor(String key) {
        global("torch._utils", "_rebuild_tensor_v2").mark()
                .mark().str("storage").global("torch", "FloatStorage").str(key).str("cpu").int1(4).tuple()
                .op(PickleOp.BINPERSID)
                .int1(0).int1(4).op(PickleOp.TUPLE1).int1(1).op(PickleOp.TUPLE1).op(PickleOp.NEWFALSE)
                .global("collections", "OrderedDict").op(PickleOp.EMPTY_TUPLE).reduce()
                .tuple().reduce();
        return this;
    }

    public byte[] bytes() {
        return out.toByteArray();
    }
}
