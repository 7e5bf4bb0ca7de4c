package dev.safeload.model.gguf;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses a Jinja chat template (the subset chat templates use) and lists what in it could climb
 * out of a template renderer: every construct outside that subset, attribute names that start
 * with {@code _}, attribute names computed at run time ({@code |attr}, a subscript whose key is
 * built from strings), reflective filters, string literals that spell a dunder once their
 * escapes are decoded ({@code '\x5f\x5f'}), and template loading ({@code import}, {@code include},
 * {@code extends}). Renderers differ (Python's Jinja2, minja in llama.cpp, Jinjava), so the check
 * reads as the most permissive one, Jinja2 without a sandbox, would.
 */
final class ChatTemplate {

    /** Why a template is refused; the first problem found. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    /** Statements chat templates use; {@code generation} is transformers' own, {@code break}/{@code continue} its loopcontrols. */
    private static final Set<String> STATEMENTS = Set.of("if", "elif", "else", "endif", "for", "endfor", "set",
            "endset", "macro", "endmacro", "break", "continue", "generation", "endgeneration");

    /** Filters of Jinja2 (and minja) that only transform values. */
    private static final Set<String> FILTERS = Set.of("abs", "batch", "capitalize", "center", "count", "default",
            "d", "dictsort", "e", "escape", "first", "float", "forceescape", "format", "groupby", "indent", "int",
            "items", "join", "last", "length", "list", "lower", "map", "max", "min", "pprint", "reject",
            "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr", "slice", "sort", "string",
            "striptags", "sum", "title", "tojson", "trim", "truncate", "unique", "upper", "urlencode", "wordcount",
            "wordwrap", "xmlattr", "keys", "values");

    /** Filters whose result is a number, never a string the template could use as a name. */
    private static final Set<String> NUMERIC_FILTERS = Set.of("length", "count", "int", "float", "abs", "round",
            "wordcount");

    /** Attributes of a for loop's {@code loop} that are numbers. */
    private static final Set<String> LOOP_NUMBERS = Set.of("index", "index0", "revindex", "revindex0", "length",
            "depth", "depth0");

    /** Filters whose argument names an attribute to read from each item. */
    private static final Set<String> ATTRIBUTE_FILTERS = Set.of("map", "rejectattr", "selectattr", "groupby",
            "sort", "sum", "unique", "max", "min", "join");

    private static final Set<String> TESTS = Set.of("defined", "undefined", "none", "string", "number",
            "integer", "float", "mapping", "sequence", "iterable", "boolean", "true", "false", "odd", "even",
            "divisibleby", "equalto", "eq", "ne", "lt", "le", "gt", "ge", "in", "lower", "upper", "callable",
            "sameas", "escaped", "==", "!=", "<", "<=", ">", ">=", "greaterthan", "lessthan");

    /** Functions a chat template may call by name: Jinja's and transformers' globals. */
    private static final Set<String> GLOBALS = Set.of("range", "namespace", "dict", "raise_exception",
            "strftime_now");

    /**
     * Attributes without an underscore that still reach interpreter internals (frames, code,
     * globals; Java reflection in Java renderers), and {@code format}, whose format string reads
     * attributes by name.
     */
    private static final Set<String> REFLECTIVE_ATTRIBUTES = Set.of("format", "format_map", "mro", "gi_frame",
            "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "ag_frame", "ag_code", "f_globals", "f_locals",
            "f_builtins", "f_back", "f_code", "tb_frame", "tb_next", "func_globals", "func_code", "im_func",
            "im_self", "co_code", "environment", "globals",
            // Java renderers (Jinjava, Pebble) resolve attributes to getters and methods
            "getClass", "class", "getClassLoader", "classLoader", "forName", "newInstance", "getMethod",
            "getDeclaredMethod", "getMethods", "getDeclaredMethods", "invoke", "getRuntime", "exec", "getField",
            "getDeclaredField", "getDeclaredConstructor", "getConstructor", "loadClass", "getProtectionDomain",
            "getModule", "getSystemClassLoader");

    private static final int MAX_DEPTH = 200;

    private final String source;
    private int pos;
    private List<Token> tokens;
    private int t;
    private int depth;
    private final Deque<String> blocks = new ArrayDeque<>();
    /** How many of {@link #blocks} are loops: a search of the stack per break was quadratic. */
    private int openLoops;
    private final Set<String> macros = new HashSet<>();
    private final Set<String> calledNames = new HashSet<>();
    /** Variables assigned from an expression that builds or picks strings at run time. */
    private final Set<String> builtNames = new HashSet<>();
    /** Set by {@link #subscript()}: whether its key was built from strings. */
    private boolean builtKey;
    /**
     * What every assignment of a variable (or namespace field, {@code ns.x}) gives it, gathered by
     * a first pass: a number, or a lookup table (a dict literal). The second pass reads it, since
     * a loop may use a variable before the assignment that follows in the text.
     */
    private final Map<String, Boolean> numericNames;
    private final Map<String, Boolean> tableNames;
    private final boolean collecting;

    private ChatTemplate(String source, Map<String, Boolean> numericNames,
                         Map<String, Boolean> tableNames, boolean collecting) {
        this.source = source;
        this.numericNames = numericNames;
        this.tableNames = tableNames;
        this.collecting = collecting;
    }

    /** Checks {@code template}; returns normally if every construct is one chat templates use. */
    static void check(String template) throws Refused {
        ChatTemplate facts = new ChatTemplate(template, new HashMap<>(), new HashMap<>(), true);
        facts.template();
        new ChatTemplate(template, Map.copyOf(facts.numericNames), Map.copyOf(facts.tableNames),
                false).template();
    }

    /** Records one assignment of {@code name}; in the checking pass the facts are fixed. */
    private void assigned(String name, Value value) {
        if (collecting) {
            numericNames.merge(name, value.numeric, Boolean::logicalAnd);
            tableNames.merge(name, value.table, Boolean::logicalAnd);
        }
    }

    private boolean isNumeric(String name) {
        return numericNames.getOrDefault(name, false);
    }

    private boolean isTable(String name) {
        return tableNames.getOrDefault(name, false);
    }

    // ---- template level: text, {{ }}, {% %}, {# #} ----

    private void template() throws Refused {
        while (pos < source.length()) {
            int open = source.indexOf('{', pos);
            while (open >= 0 && open + 1 < source.length() && "{%#".indexOf(source.charAt(open + 1)) < 0) {
                open = source.indexOf('{', open + 1);
            }
            if (open < 0 || open + 1 >= source.length()) {
                break;
            }
            char kind = source.charAt(open + 1);
            pos = open + 2;
            if (pos < source.length() && "-+".indexOf(source.charAt(pos)) >= 0) {
                pos++;
            }
            if (kind == '#') {
                int close = source.indexOf("#}", pos);
                if (close < 0) {
                    throw new Refused("comment never closed");
                }
                pos = close + 2;
            } else if (kind == '{') {
                tag("}}");
                expression();
                end("}}");
            } else {
                tag("%}");
                statement();
                end("%}");
            }
        }
        if (!blocks.isEmpty()) {
            throw new Refused("{% " + blocks.peek() + " %} is never closed");
        }
        for (String name : calledNames) {
            if (!GLOBALS.contains(name) && !macros.contains(name)) {
                throw new Refused("calls \"" + name + "\", which is neither a chat-template global nor a macro of"
                        + " the template");
            }
        }
    }

    /** Lexes the inside of a tag up to {@code close} (outside string literals). */
    private void tag(String close) throws Refused {
        tokens = new ArrayList<>();
        t = 0;
        while (true) {
            skipSpace();
            if (pos >= source.length()) {
                throw new Refused("tag never closed");
            }
            if (source.startsWith(close, pos) || (source.charAt(pos) == '-' || source.charAt(pos) == '+')
                    && source.startsWith(close, pos + 1)) {
                tokens.add(new Token(Kind.END, close));
                return;
            }
            tokens.add(lexToken());
        }
    }

    private void end(String close) throws Refused {
        if (peek().kind != Kind.END) {
            throw new Refused("unexpected \"" + peek().text + "\" before " + close);
        }
        if (source.charAt(pos) != close.charAt(0)) {
            pos++; // whitespace control
        }
        pos += close.length();
        if (close.equals("%}") && !blocks.isEmpty() && blocks.peek().equals("raw")) {
            blocks.pop();
            int endRaw = findEndRaw();
            pos = endRaw;
        }
    }

    /** Skips a raw block's text to its {@code {% endraw %}} tag. */
    private int findEndRaw() throws Refused {
        int at = pos;
        while (true) {
            int open = source.indexOf("{%", at);
            if (open < 0) {
                throw new Refused("{% raw %} is never closed");
            }
            int p = open + 2;
            if (p < source.length() && "-+".indexOf(source.charAt(p)) >= 0) {
                p++;
            }
            while (p < source.length() && Character.isWhitespace(source.charAt(p))) {
                p++;
            }
            if (source.startsWith("endraw", p)) {
                int close = source.indexOf("%}", p);
                if (close < 0) {
                    throw new Refused("{% endraw %} never closed");
                }
                return close + 2;
            }
            at = open + 2;
        }
    }

    // ---- statements ----

    private void statement() throws Refused {
        Token head = next();
        if (head.kind != Kind.NAME) {
            throw new Refused("statement starts with \"" + head.text + "\"");
        }
        String name = head.text;
        if (name.equals("raw")) {
            blocks.push("raw");
            return;
        }
        if (!STATEMENTS.contains(name)) {
            throw new Refused("{% " + name + " %} is not a construct chat templates use"
                    + (Set.of("import", "from", "include", "extends").contains(name)
                    ? "; it loads another template from the renderer's loader" : ""));
        }
        switch (name) {
            case "if" -> {
                blocks.push("if");
                expression();
            }
            case "elif" -> {
                expectBlock("if", name);
                expression();
            }
            case "else" -> {
                if (blocks.isEmpty() || !(blocks.peek().equals("if") || blocks.peek().equals("for"))) {
                    throw new Refused("{% else %} outside if or for");
                }
            }
            case "for" -> {
                blocks.push("for");
                openLoops++;
                List<String> names = targets();
                keyword("in");
                Value iterable = expressionNoIf();
                if (iterable.built) {
                    builtNames.addAll(names); // items of a list the template made may be strings it built
                }
                for (String target : names) {
                    assigned(target, iterable.range ? Value.NUMBER : Value.RUNTIME);
                }
                if (peekName("if")) {
                    next();
                    expression();
                }
                if (peekName("recursive")) {
                    next();
                }
            }
            case "set" -> set();
            case "macro" -> macro();
            case "break", "continue" -> {
                if (openLoops == 0) {
                    throw new Refused("{% " + name + " %} outside a loop");
                }
            }
            case "generation" -> blocks.push("generation");
            default -> closeBlock(name);
        }
    }

    private void closeBlock(String end) throws Refused {
        String open = end.substring(3);
        if (blocks.isEmpty() || !blocks.peek().equals(open)) {
            throw new Refused("{% " + end + " %} closes nothing open");
        }
        if (blocks.pop().equals("for")) {
            openLoops--;
        }
    }

    private void expectBlock(String open, String name) throws Refused {
        if (blocks.isEmpty() || !blocks.peek().equals(open)) {
            throw new Refused("{% " + name + " %} outside " + open);
        }
    }

    private void set() throws Refused {
        List<String> names = new ArrayList<>();
        List<String> assignedNames = new ArrayList<>();
        boolean attribute = false;
        do {
            Token target = expect(Kind.NAME, "a variable name");
            names.add(target.text);
            String assignedName = target.text;
            if (peekOp(".")) {
                next();
                Token attr = expect(Kind.NAME, "an attribute name");
                attributeName(attr.text, false);
                attribute = true;
                assignedName = target.text + "." + attr.text;
            }
            assignedNames.add(assignedName);
        } while (peekOp(",") && next() != null);
        if (peek().kind == Kind.END) {
            if (attribute || names.size() > 1) {
                throw new Refused("block set of more than one plain name");
            }
            blocks.push("set");
            builtNames.addAll(names); // a set block captures rendered text
            assigned(names.get(0), Value.BUILT);
            return;
        }
        expectOp("=");
        Value value = expression();
        if (value.built) {
            builtNames.addAll(names);
        }
        for (String name : assignedNames) {
            assigned(name, assignedNames.size() == 1 ? value : Value.BUILT);
        }
        if (assignedNames.size() == 1 && value.fields != null) {
            value.fields.forEach((field, fieldValue) -> assigned(assignedNames.get(0) + "." + field, fieldValue));
        }
    }

    private void macro() throws Refused {
        blocks.push("macro");
        Token name = expect(Kind.NAME, "a macro name");
        if (name.text.startsWith("_")) {
            throw new Refused("macro name " + name.text + " starts with _");
        }
        macros.add(name.text);
        expectOp("(");
        while (!peekOp(")")) {
            Token param = expect(Kind.NAME, "a parameter name");
            builtNames.add(param.text); // arguments are whatever the caller passes
            assigned(param.text, Value.BUILT);
            if (peekOp("=")) {
                next();
                expression();
            }
            if (!peekOp(")")) {
                expectOp(",");
            }
        }
        next();
    }

    /** Loop targets: names, optionally in parentheses, separated by commas. */
    private List<String> targets() throws Refused {
        List<String> names = new ArrayList<>();
        boolean paren = peekOp("(");
        if (paren) {
            next();
        }
        do {
            names.add(expect(Kind.NAME, "a loop variable").text);
        } while (peekOp(",") && next() != null);
        if (paren) {
            expectOp(")");
        }
        return names;
    }

    // ---- expressions ----

    /**
     * What the check needs to know about an expression's value: the string, if it is a literal;
     * whether it is a number (so it can never name an attribute); whether the template built it
     * from strings; whether it is a lookup table (a dict literal); whether it is {@code range()}; the
     * variable it is, if a bare name; and, for {@code namespace(...)}, what each field starts as.
     */
    private record Value(String literal, boolean numeric, boolean built, boolean table, boolean range,
                         String name, Map<String, Value> fields) {
        static final Value RUNTIME = new Value(null, false, false, false, false, null, null);
        static final Value BUILT = new Value(null, false, true, false, false, null, null);
        static final Value NUMBER = new Value(null, true, false, false, false, null, null);
        static final Value TABLE = new Value(null, false, true, true, false, null, null);
        static final Value RANGE = new Value(null, false, false, false, true, null, null);

        static Value literal(String text) {
            return new Value(text, false, false, false, false, null, null);
        }
    }

    private Value expression() throws Refused {
        enter();
        try {
            Value value = expressionNoIf();
            if (peekName("if")) {
                next();
                expressionNoIf();
                if (peekName("else")) {
                    next();
                    Value other = expression(); // "a if b else c if d else ...": counted by enter()
                    return combine(value, other);
                }
            }
            return value;
        } finally {
            depth--;
        }
    }

    private Value expressionNoIf() throws Refused {
        enter();
        try {
            Value value = and();
            while (peekName("or")) {
                next();
                value = combine(value, and());
            }
            return value;
        } finally {
            depth--;
        }
    }

    /**
     * One more level of a recursive production; every self-recursive one counts, so a deep
     * template is refused by name rather than by a StackOverflowError in the host's thread.
     */
    private void enter() throws Refused {
        if (++depth > MAX_DEPTH) {
            depth--;
            throw new Refused("expressions nest more than " + MAX_DEPTH + " deep");
        }
    }

    private Value and() throws Refused {
        Value value = not();
        while (peekName("and")) {
            next();
            value = combine(value, not());
        }
        return value;
    }

    private Value not() throws Refused {
        if (peekName("not")) {
            next();
            enter();
            try {
                not();
            } finally {
                depth--;
            }
            return Value.NUMBER; // a bool
        }
        return compare();
    }

    private Value compare() throws Refused {
        Value value = concat();
        while (true) {
            if (peek().kind == Kind.OP && Set.of("==", "!=", "<", ">", "<=", ">=").contains(peek().text)) {
                next();
                concat();
                value = Value.NUMBER; // a bool
            } else if (peekName("in")) {
                next();
                concat();
                value = Value.NUMBER; // a bool
            } else if (peekName("not") && peekName(1, "in")) {
                next();
                next();
                concat();
                value = Value.NUMBER; // a bool
            } else {
                return value;
            }
        }
    }

    private Value concat() throws Refused {
        Value value = sum();
        while (peekOp("~")) {
            next();
            sum();
            value = Value.BUILT;
        }
        return value;
    }

    private Value sum() throws Refused {
        Value value = product();
        while (peekOp("+") || peekOp("-")) {
            boolean plus = next().text.equals("+");
            Value right = product();
            value = value.numeric && right.numeric ? Value.NUMBER
                    : plus && (value.literal != null || right.literal != null || value.built || right.built)
                    ? Value.BUILT : combine(value, right);
        }
        return value;
    }

    private Value product() throws Refused {
        Value value = unary();
        while (peekOp("*") || peekOp("/") || peekOp("//") || peekOp("%")) {
            String op = next().text;
            Value right = unary();
            if (op.equals("*") && (value.literal != null || right.literal != null)) {
                throw new Refused("repeats a string with *, a way to build names such as '_' * 2");
            }
            value = value.numeric && right.numeric ? Value.NUMBER
                    : op.equals("%") && value.literal != null ? Value.BUILT : combine(value, right);
        }
        return value;
    }

    private Value unary() throws Refused {
        if (peekOp("-") || peekOp("+")) {
            next();
            enter();
            try {
                return unary().numeric ? Value.NUMBER : Value.RUNTIME;
            } finally {
                depth--;
            }
        }
        return power();
    }

    private Value power() throws Refused {
        Value value = filtered();
        while (peekOp("**")) {
            next();
            value = value.numeric && filtered().numeric ? Value.NUMBER : Value.RUNTIME;
        }
        return value;
    }

    /** A primary with its postfixes, filters and tests. */
    private Value filtered() throws Refused {
        Value value = postfix(primary());
        while (true) {
            if (peekOp("|")) {
                next();
                value = NUMERIC_FILTERS.contains(filter()) ? Value.NUMBER : Value.BUILT;
            } else if (peekName("is")) {
                next();
                if (peekName("not")) {
                    next();
                }
                Token test = next();
                if (!TESTS.contains(test.text)) {
                    throw new Refused("test \"" + test.text + "\" is not one chat templates use");
                }
                if (peekOp("(")) {
                    arguments(null);
                } else if (startsValue(peek()) && !peekName("and") && !peekName("or") && !peekName("else")
                        && !peekName("if") && !peekName("in") && !peekName("is") && !peekName("not")) {
                    postfix(primary()); // "is divisibleby 3", "is sameas none"
                }
                value = Value.NUMBER; // a bool
            } else {
                return value;
            }
        }
    }

    private String filter() throws Refused {
        Token name = expect(Kind.NAME, "a filter name");
        if (name.text.equals("attr")) {
            throw new Refused("filter attr reads an attribute whose name is computed at run time");
        }
        if (!FILTERS.contains(name.text)) {
            throw new Refused("filter \"" + name.text + "\" is not one chat templates use");
        }
        if (peekOp("(")) {
            arguments(name.text);
        }
        return name.text;
    }

    private Value postfix(Value value) throws Refused {
        while (true) {
            if (peekOp(".")) {
                next();
                Token attr = next();
                if (attr.kind != Kind.NAME && attr.kind != Kind.INT) {
                    throw new Refused("\".\" followed by \"" + attr.text + "\"");
                }
                attributeName(attr.text, false);
                if (peekOp("(")) {
                    arguments(null);
                    value = Value.BUILT;
                } else if ("loop".equals(value.name) && LOOP_NUMBERS.contains(attr.text)
                        || value.name != null && isNumeric(value.name + "." + attr.text)) {
                    value = Value.NUMBER;
                } else if (value.name != null && isTable(value.name + "." + attr.text)) {
                    value = Value.TABLE;
                } else {
                    value = value.built ? Value.BUILT : Value.RUNTIME;
                }
            } else if (peekOp("[")) {
                next();
                boolean computedKey = subscript();
                boolean built = builtKey;
                expectOp("]");
                if (computedKey && !collecting) {
                    if (!value.table) {
                        throw new Refused(built ? "subscript with a key built at run time (strings joined, filtered"
                                + " or picked); Jinja2 looks such a key up as an attribute"
                                : "subscript with a key computed at run time on something other than a lookup table"
                                + " of the template; Jinja2 falls back to the attribute of that name");
                    }
                    if (peekOp(".") || peekOp("[") || peekOp("(")) {
                        throw new Refused("reads on from a lookup table entry picked by a computed key, which may"
                                + " be an attribute of the table instead");
                    }
                }
                value = Value.BUILT; // an item of anything may be a string the template made
            } else if (peekOp("(")) {
                throw new Refused("calls the result of an expression; only named globals, macros and methods"
                        + " are called in chat templates");
            } else {
                return value;
            }
        }
    }

    /**
     * {@code x[key]}: Jinja2 falls back to {@code getattr(x, key)}, so a key is an attribute name.
     * It must be a literal, a slice, or plain arithmetic on numbers and data, never a string the
     * template built.
     */
    private boolean subscript() throws Refused {
        boolean any = false;
        boolean computed = false;
        builtKey = false;
        for (int part = 0; part < 3; part++) {
            if (!peekOp(":") && !peekOp("]")) {
                Value index = expression();
                any = true;
                if (index.literal != null) {
                    attributeName(index.literal, true);
                } else if (index.built) {
                    computed = true;
                    builtKey = true;
                } else if (!index.numeric) {
                    computed = true;
                }
            }
            if (!peekOp(":")) {
                break;
            }
            next();
        }
        if (!any && !peekOp("]")) {
            throw new Refused("empty subscript");
        }
        return computed;
    }

    private Value primary() throws Refused {
        Token token = next();
        switch (token.kind) {
            case STRING -> {
                if (peek().kind != Kind.STRING) {
                    literal(token.text);
                    return Value.literal(token.text);
                }
                // Adjacent literals concatenate; one builder, since a template of a megabyte of
                // 'a''a''a'... joined pairwise took a minute (found while adding its fuzz target).
                StringBuilder joined = new StringBuilder(token.text);
                while (peek().kind == Kind.STRING) {
                    joined.append(next().text);
                }
                literal(joined.toString());
                return Value.literal(joined.toString());
            }
            case INT, FLOAT -> {
                return Value.NUMBER;
            }
            case NAME -> {
                String name = token.text;
                if (name.startsWith("_")) {
                    throw new Refused("name " + name + " starts with _");
                }
                if (peekOp("(")) {
                    calledNames.add(name);
                    Map<String, Value> kwargs = arguments(null);
                    return switch (name) {
                        case "range" -> Value.RANGE;
                        case "namespace" -> new Value(null, false, false, false, false, null, kwargs);
                        default -> Value.BUILT;
                    };
                }
                return new Value(null, isNumeric(name), builtNames.contains(name), isTable(name), false, name, null);
            }
            case OP -> {
                switch (token.text) {
                    case "(" -> {
                        if (peekOp(")")) {
                            next();
                            return Value.RUNTIME;
                        }
                        Value inner = expression();
                        boolean built = inner.built;
                        while (peekOp(",")) {
                            next();
                            if (peekOp(")")) {
                                break;
                            }
                            built |= expression().built;
                        }
                        expectOp(")");
                        return built && !inner.built ? Value.BUILT : inner;
                    }
                    case "[" -> {
                        while (!peekOp("]")) {
                            expression();
                            if (!peekOp("]")) {
                                expectOp(",");
                            }
                        }
                        next();
                        return Value.BUILT;
                    }
                    case "{" -> {
                        while (!peekOp("}")) {
                            Value key = expression();
                            if (key.literal != null) {
                                literal(key.literal);
                            }
                            expectOp(":");
                            expression();
                            if (!peekOp("}")) {
                                expectOp(",");
                            }
                        }
                        next();
                        return Value.TABLE;
                    }
                    default -> throw new Refused("unexpected \"" + token.text + "\"");
                }
            }
            default -> throw new Refused("expression expected, found \"" + token.text + "\"");
        }
    }

    /** Call or filter arguments; for an attribute-reading filter, its attribute must be a plain literal. */
    private Map<String, Value> arguments(String filter) throws Refused {
        Map<String, Value> kwargs = new HashMap<>();
        expectOp("(");
        int positional = 0;
        while (!peekOp(")")) {
            String keyword = null;
            if (peek().kind == Kind.NAME && peekOp(1, "=")) {
                keyword = next().text;
                next();
            } else if (peekOp("*") || peekOp("**")) {
                throw new Refused("argument unpacking with * or **");
            }
            Value value = expression();
            if (filter != null && ATTRIBUTE_FILTERS.contains(filter)) {
                boolean namesAttribute = "attribute".equals(keyword)
                        || keyword == null && positional == 0 && Set.of("rejectattr", "selectattr", "groupby")
                        .contains(filter);
                if (namesAttribute && value.literal == null) {
                    throw new Refused("filter " + filter + " reads an attribute whose name is computed at run time");
                }
                if (namesAttribute) {
                    for (String part : value.literal.split("\\.", -1)) { // Jinja follows dotted attribute paths
                        attributeName(part, false);
                    }
                }
                if (filter.equals("map") && keyword == null && positional == 0) {
                    if (value.literal == null || !FILTERS.contains(value.literal)) {
                        throw new Refused("map applies a filter named at run time or not allowed: "
                                + (value.literal == null ? "(computed)" : value.literal));
                    }
                }
            }
            if (filter != null && Set.of("select", "reject", "selectattr", "rejectattr").contains(filter)
                    && keyword == null && positional == (filter.endsWith("attr") ? 1 : 0)
                    && (value.literal == null || !TESTS.contains(value.literal))) {
                throw new Refused("filter " + filter + " applies a test named at run time or not allowed");
            }
            if (keyword == null) {
                positional++;
            } else {
                kwargs.put(keyword, value);
            }
            if (!peekOp(")")) {
                expectOp(",");
            }
        }
        next();
        return kwargs;
    }

    private static Value combine(Value a, Value b) {
        if (a.numeric && b.numeric) {
            return Value.NUMBER;
        }
        return a.built || b.built ? Value.BUILT : Value.RUNTIME;
    }

    /**
     * An attribute or key name read from an object: no leading underscore, nothing reflective. A
     * subscript may name {@code format}: what it returns could only be used by calling it, and
     * calling the result of a subscript is refused.
     */
    private static void attributeName(String name, boolean subscript) throws Refused {
        if (name.startsWith("_")) {
            throw new Refused("reads attribute or key \"" + printable(name) + "\", which starts with _");
        }
        if (REFLECTIVE_ATTRIBUTES.contains(name) && !(subscript && name.startsWith("format"))) {
            throw new Refused("reads attribute \"" + name + "\", which reaches interpreter internals or formats by"
                    + " attribute name");
        }
    }

    /** A string literal, escapes decoded: a dunder in it can only be for building a name. */
    private static void literal(String value) throws Refused {
        if (value.contains("__")) {
            throw new Refused("string literal \"" + printable(value) + "\" contains __ once its escapes are decoded");
        }
        if (!value.isEmpty() && value.chars().allMatch(c -> c == '_')) {
            throw new Refused("string literal of underscores only, a building block for dunder names");
        }
    }

    private static String printable(String s) {
        String clipped = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        StringBuilder sb = new StringBuilder();
        for (char c : clipped.toCharArray()) {
            sb.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return sb.toString();
    }

    // ---- tokens ----

    private enum Kind { NAME, STRING, INT, FLOAT, OP, END }

    private record Token(Kind kind, String text) {
    }

    private static final String[] OPERATORS = {"**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%",
        "~", "<", ">", "=", ".", ",", ":", "|", "(", ")", "[", "]", "{", "}"};

    private void skipSpace() {
        while (pos < source.length() && Character.isWhitespace(source.charAt(pos))) {
            pos++;
        }
    }

    private Token lexToken() throws Refused {
        char c = source.charAt(pos);
        if (Character.isLetter(c) || c == '_') {
            int start = pos;
            while (pos < source.length() && (Character.isLetterOrDigit(source.charAt(pos)) || source.charAt(pos) == '_')) {
                pos++;
            }
            return new Token(Kind.NAME, source.substring(start, pos));
        }
        if (Character.isDigit(c)) {
            int start = pos;
            boolean isFloat = false;
            while (pos < source.length() && (Character.isDigit(source.charAt(pos)) || source.charAt(pos) == '_'
                    || source.charAt(pos) == '.' && pos + 1 < source.length() && Character.isDigit(source.charAt(pos + 1))
                    || (source.charAt(pos) == 'e' || source.charAt(pos) == 'E'))) {
                isFloat |= source.charAt(pos) == '.' || source.charAt(pos) == 'e' || source.charAt(pos) == 'E';
                pos++;
            }
            return new Token(isFloat ? Kind.FLOAT : Kind.INT, source.substring(start, pos));
        }
        if (c == '\'' || c == '"') {
            return new Token(Kind.STRING, string(c));
        }
        for (String op : OPERATORS) {
            if (source.startsWith(op, pos)) {
                pos += op.length();
                return new Token(Kind.OP, op);
            }
        }
        throw new Refused("character '" + printable(String.valueOf(c)) + "' is not Jinja syntax");
    }

    /** A string literal, decoded as Jinja2 decodes it: Python's unicode-escape. */
    private String string(char quote) throws Refused {
        pos++;
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= source.length()) {
                throw new Refused("string literal never closed");
            }
            char c = source.charAt(pos++);
            if (c == quote) {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (pos >= source.length()) {
                throw new Refused("string literal never closed");
            }
            char e = source.charAt(pos++);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'v' -> out.append('\u000b');
                case 'a' -> out.append('\u0007');
                case '\\', '\'', '"' -> out.append(e);
                case '\n' -> {
                }
                case 'x' -> out.appendCodePoint(hex(2));
                case 'u' -> out.appendCodePoint(hex(4));
                case 'U' -> out.appendCodePoint(hex(8));
                case 'N' -> {
                    int close = source.indexOf('}', pos);
                    if (pos >= source.length() || source.charAt(pos) != '{' || close < 0) {
                        throw new Refused("malformed \\N{...} escape");
                    }
                    String name = source.substring(pos + 1, close);
                    pos = close + 1;
                    try {
                        out.appendCodePoint(Character.codePointOf(name));
                    } catch (IllegalArgumentException ex) {
                        throw new Refused("unknown character name \\N{" + printable(name) + "}");
                    }
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int value = e - '0';
                        for (int i = 0; i < 2 && pos < source.length() && source.charAt(pos) >= '0'
                                && source.charAt(pos) <= '7'; i++) {
                            value = value * 8 + source.charAt(pos++) - '0';
                        }
                        out.appendCodePoint(value);
                    } else {
                        out.append('\\').append(e); // Python keeps unknown escapes as written
                    }
                }
            }
        }
    }

    private int hex(int digits) throws Refused {
        if (pos + digits > source.length()) {
            throw new Refused("truncated escape");
        }
        try {
            int value = Integer.parseUnsignedInt(source.substring(pos, pos + digits), 16);
            pos += digits;
            if (!Character.isValidCodePoint(value)) {
                throw new Refused("escape outside Unicode");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new Refused("malformed \\x, \\u or \\U escape");
        }
    }

    // ---- token stream helpers ----

    private Token peek() {
        return tokens.get(Math.min(t, tokens.size() - 1));
    }

    private Token next() {
        Token token = peek();
        if (t < tokens.size() - 1) {
            t++;
        }
        return token;
    }

    private boolean peekOp(String op) {
        return peekOp(0, op);
    }

    private boolean peekOp(int ahead, String op) {
        int i = Math.min(t + ahead, tokens.size() - 1);
        return tokens.get(i).kind == Kind.OP && tokens.get(i).text.equals(op);
    }

    private boolean peekName(String name) {
        return peekName(0, name);
    }

    private boolean peekName(int ahead, String name) {
        int i = Math.min(t + ahead, tokens.size() - 1);
        return tokens.get(i).kind == Kind.NAME && tokens.get(i).text.equals(name);
    }

    private static boolean startsValue(Token token) {
        return token.kind == Kind.NAME || token.kind == Kind.STRING || token.kind == Kind.INT
                || token.kind == Kind.FLOAT || token.kind == Kind.OP && (token.text.equals("(")
                || token.text.equals("[") || token.text.equals("{") || token.text.equals("-"));
    }

    private Token expect(Kind kind, String what) throws Refused {
        Token token = next();
        if (token.kind != kind) {
            throw new Refused(what + " expected, found \"" + token.text + "\"");
        }
        return token;
    }

    private void expectOp(String op) throws Refused {
        Token token = next();
        if (token.kind != Kind.OP || !token.text.equals(op)) {
            throw new Refused("\"" + op + "\" expected, found \"" + token.text + "\"");
        }
    }

    private void keyword(String name) throws Refused {
        Token token = next();
        if (token.kind != Kind.NAME || !token.text.equals(name)) {
            throw new Refused("\"" + name + "\" expected, found \"" + token.text + "\"");
        }
    }
}
