package dev.safeload.model.pickle;

/**
 * Every pickle opcode of protocols 0 to 5, as CPython's {@code Lib/pickletools.py} declares
 * them: the byte, how its argument is read, the protocol that introduced it and its stack
 * effect. {@link PickleMachine} is the one loop that interprets this table.
 *
 * <p>Stack effects count items of the current segment only (above the innermost MARK), as
 * CPython's unpickler sees them: {@code needs} items must be there before the opcode runs,
 * {@code toMark} opcodes first pop everything down to the innermost MARK.
 */
public enum PickleOp {
    // Integers
    INT('I', Arg.DECIMAL_NL_SHORT, 0, 0, false, 1),
    BININT('J', Arg.INT4, 1, 0, false, 1),
    BININT1('K', Arg.UINT1, 1, 0, false, 1),
    BININT2('M', Arg.UINT2, 1, 0, false, 1),
    LONG('L', Arg.DECIMAL_NL_LONG, 0, 0, false, 1),
    LONG1(0x8a, Arg.LONG1, 2, 0, false, 1),
    LONG4(0x8b, Arg.LONG4, 2, 0, false, 1),
    // Strings and bytes
    STRING('S', Arg.STRING_NL, 0, 0, false, 1),
    BINSTRING('T', Arg.STRING4, 1, 0, false, 1),
    SHORT_BINSTRING('U', Arg.STRING1, 1, 0, false, 1),
    BINBYTES('B', Arg.BYTES4, 3, 0, false, 1),
    SHORT_BINBYTES('C', Arg.BYTES1, 3, 0, false, 1),
    BINBYTES8(0x8e, Arg.BYTES8, 4, 0, false, 1),
    BYTEARRAY8(0x96, Arg.BYTES8, 5, 0, false, 1),
    NEXT_BUFFER(0x97, Arg.NONE, 5, 0, false, 1),
    READONLY_BUFFER(0x98, Arg.NONE, 5, 1, false, 1),
    UNICODE('V', Arg.UNICODE_NL, 0, 0, false, 1),
    SHORT_BINUNICODE(0x8c, Arg.UNICODE1, 4, 0, false, 1),
    BINUNICODE('X', Arg.UNICODE4, 1, 0, false, 1),
    BINUNICODE8(0x8d, Arg.UNICODE8, 4, 0, false, 1),
    // Constants and floats
    NONE('N', Arg.NONE, 0, 0, false, 1),
    NEWTRUE(0x88, Arg.NONE, 2, 0, false, 1),
    NEWFALSE(0x89, Arg.NONE, 2, 0, false, 1),
    FLOAT('F', Arg.FLOAT_NL, 0, 0, false, 1),
    BINFLOAT('G', Arg.FLOAT8, 1, 0, false, 1),
    // Containers
    EMPTY_LIST(']', Arg.NONE, 1, 0, false, 1),
    APPEND('a', Arg.NONE, 0, 2, false, 1),
    APPENDS('e', Arg.NONE, 1, 1, true, 1),
    LIST('l', Arg.NONE, 0, 0, true, 1),
    EMPTY_TUPLE(')', Arg.NONE, 1, 0, false, 1),
    TUPLE('t', Arg.NONE, 0, 0, true, 1),
    TUPLE1(0x85, Arg.NONE, 2, 1, false, 1),
    TUPLE2(0x86, Arg.NONE, 2, 2, false, 1),
    TUPLE3(0x87, Arg.NONE, 2, 3, false, 1),
    EMPTY_DICT('}', Arg.NONE, 1, 0, false, 1),
    DICT('d', Arg.NONE, 0, 0, true, 1),
    SETITEM('s', Arg.NONE, 0, 3, false, 1),
    SETITEMS('u', Arg.NONE, 1, 1, true, 1),
    EMPTY_SET(0x8f, Arg.NONE, 4, 0, false, 1),
    ADDITEMS(0x90, Arg.NONE, 4, 1, true, 1),
    FROZENSET(0x91, Arg.NONE, 4, 0, true, 1),
    // Stack manipulation
    POP('0', Arg.NONE, 0, 0, false, 0),
    DUP('2', Arg.NONE, 0, 1, false, 2),
    MARK('(', Arg.NONE, 0, 0, false, 0),
    POP_MARK('1', Arg.NONE, 1, 0, true, 0),
    // Memo
    GET('g', Arg.DECIMAL_NL_SHORT, 0, 0, false, 1),
    BINGET('h', Arg.UINT1, 1, 0, false, 1),
    LONG_BINGET('j', Arg.UINT4, 1, 0, false, 1),
    PUT('p', Arg.DECIMAL_NL_SHORT, 0, 1, false, 1),
    BINPUT('q', Arg.UINT1, 1, 1, false, 1),
    LONG_BINPUT('r', Arg.UINT4, 1, 1, false, 1),
    MEMOIZE(0x94, Arg.NONE, 4, 1, false, 1),
    // Imports and calls: the opcodes that can run code
    EXT1(0x82, Arg.UINT1, 2, 0, false, 1),
    EXT2(0x83, Arg.UINT2, 2, 0, false, 1),
    EXT4(0x84, Arg.INT4, 2, 0, false, 1),
    GLOBAL('c', Arg.NAME_PAIR_NL, 0, 0, false, 1),
    STACK_GLOBAL(0x93, Arg.NONE, 4, 2, false, 1),
    REDUCE('R', Arg.NONE, 0, 2, false, 1),
    BUILD('b', Arg.NONE, 0, 2, false, 1),
    INST('i', Arg.NAME_PAIR_NL, 0, 0, true, 1),
    OBJ('o', Arg.NONE, 1, 0, true, 1),
    NEWOBJ(0x81, Arg.NONE, 2, 2, false, 1),
    NEWOBJ_EX(0x92, Arg.NONE, 4, 3, false, 1),
    // Machine control
    PROTO(0x80, Arg.UINT1, 2, 0, false, 0),
    STOP('.', Arg.NONE, 0, 1, false, 0),
    FRAME(0x95, Arg.UINT8, 4, 0, false, 0),
    // Persistent ids: resolved by the loader (PyTorch's storages), never imported here
    PERSID('P', Arg.NAME_NL, 0, 0, false, 1),
    BINPERSID('Q', Arg.NONE, 1, 1, false, 1);

    /** How an opcode's argument is encoded in the stream, as pickletools' ArgumentDescriptors. */
    public enum Arg {
        NONE, UINT1, UINT2, INT4, UINT4, UINT8, FLOAT8, LONG1, LONG4,
        DECIMAL_NL_SHORT, DECIMAL_NL_LONG, FLOAT_NL,
        STRING_NL, STRING1, STRING4,
        BYTES1, BYTES4, BYTES8,
        UNICODE_NL, UNICODE1, UNICODE4, UNICODE8,
        NAME_NL, NAME_PAIR_NL
    }

    private static final PickleOp[] BY_CODE = new PickleOp[256];

    static {
        for (PickleOp op : values()) {
            if (BY_CODE[op.code] != null) {
                throw new AssertionError("duplicate opcode " + op + " and " + BY_CODE[op.code]);
            }
            BY_CODE[op.code] = op;
        }
    }

    /** The opcode byte, 0-255. */
    public final int code;
    /** How the argument that follows the opcode byte is read. */
    public final Arg arg;
    /** The protocol that introduced the opcode. */
    public final int proto;
    /** Items the opcode reads from the current stack segment (after popping to MARK if {@link #toMark}). */
    public final int needs;
    /** Whether the opcode first pops everything down to the innermost MARK. */
    public final boolean toMark;
    /** Items it leaves on the stack in place of the {@code needs} it read. */
    public final int pushes;

    PickleOp(int code, Arg arg, int proto, int needs, boolean toMark, int pushes) {
        this.code = code;
        this.arg = arg;
        this.proto = proto;
        this.needs = needs;
        this.toMark = toMark;
        this.pushes = pushes;
    }

    /** The opcode for {@code code} (0-255), or null if no protocol defines it. */
    public static PickleOp of(int code) {
        return BY_CODE[code & 0xff];
    }
}
