package org.nnfsconform.kit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict JSON (RFC 8259) for protocol 1, hand-written: one line in, a tree of Map, List,
 * String, Double, Boolean and {@link #NULL}; numbers out so that they read back as the same
 * double, non-finite ones as the protocol's strings "NaN", "Infinity", "-Infinity".
 *
 * <p>NOTE: numbers are parsed by {@link Double#parseDouble} on the token, which gives the
 * nearest double (5e-324, 1e+23, 2^53 + 1); they are written by {@link Double#toString}, which
 * reads back exactly (on Java 17 it is not always the shortest such string; JDK 19 made it so).
 */
final class Json {
    private Json() {}

    /** JSON's null, so that a Map can tell a null value from a missing key. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** Deeper nesting than this is refused rather than risking the stack. */
    static final int MAX_DEPTH = 512;

    /** A line that is not one JSON value: the message says what and where. */
    static final class Error extends RuntimeException {
        Error(String message) {
            super(message);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Reading

    /** The one JSON value of text; anything else (trailing text, duplicate keys) throws. */
    static Object parse(String text) {
        Parser parser = new Parser(text);
        parser.skipSpace();
        Object value = parser.value(0);
        parser.skipSpace();
        if (parser.at < text.length()) {
            throw parser.error("unexpected text after the value");
        }
        return value;
    }

    private static final class Parser {
        final String s;
        int at;

        Parser(String s) {
            this.s = s;
        }

        Error error(String what) {
            return new Error(what + " at character " + (at + 1));
        }

        void skipSpace() {
            while (at < s.length()) {
                char c = s.charAt(at);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                at++;
            }
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nesting deeper than " + MAX_DEPTH);
            }
            if (at >= s.length()) {
                throw error("unexpected end of input");
            }
            char c = s.charAt(at);
            switch (c) {
                case '{':
                    return object(depth);
                case '[':
                    return array(depth);
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", NULL);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw error("unexpected character '" + c + "'");
            }
        }

        Object literal(String word, Object value) {
            if (!s.startsWith(word, at)) {
                throw error("unexpected text");
            }
            at += word.length();
            return value;
        }

        Map<String, Object> object(int depth) {
            Map<String, Object> map = new LinkedHashMap<>();
            at++; // {
            skipSpace();
            if (at < s.length() && s.charAt(at) == '}') {
                at++;
                return map;
            }
            while (true) {
                skipSpace();
                if (at >= s.length() || s.charAt(at) != '"') {
                    throw error("expected a key in quotes");
                }
                String key = string();
                skipSpace();
                expect(':');
                skipSpace();
                if (map.put(key, value(depth + 1)) != null) {
                    throw error("the key \"" + key + "\" twice in one object");
                }
                skipSpace();
                if (at < s.length() && s.charAt(at) == ',') {
                    at++;
                    continue;
                }
                expect('}');
                return map;
            }
        }

        List<Object> array(int depth) {
            List<Object> list = new ArrayList<>();
            at++; // [
            skipSpace();
            if (at < s.length() && s.charAt(at) == ']') {
                at++;
                return list;
            }
            while (true) {
                skipSpace();
                list.add(value(depth + 1));
                skipSpace();
                if (at < s.length() && s.charAt(at) == ',') {
                    at++;
                    continue;
                }
                expect(']');
                return list;
            }
        }

        void expect(char c) {
            if (at >= s.length() || s.charAt(at) != c) {
                throw error(at >= s.length() ? "unexpected end of input, expected '" + c + "'"
                        : "expected '" + c + "'");
            }
            at++;
        }

        /** -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?, read as the nearest double. */
        Double number() {
            int start = at;
            if (s.charAt(at) == '-') {
                at++;
            }
            if (at < s.length() && s.charAt(at) == '0') {
                at++;
            } else if (digits() == 0) {
                throw error("a number without digits");
            }
            if (at < s.length() && s.charAt(at) == '.') {
                at++;
                if (digits() == 0) {
                    throw error("a number without digits after '.'");
                }
            }
            if (at < s.length() && (s.charAt(at) == 'e' || s.charAt(at) == 'E')) {
                at++;
                if (at < s.length() && (s.charAt(at) == '+' || s.charAt(at) == '-')) {
                    at++;
                }
                if (digits() == 0) {
                    throw error("a number without digits in its exponent");
                }
            }
            return Double.parseDouble(s.substring(start, at));
        }

        int digits() {
            int start = at;
            while (at < s.length() && s.charAt(at) >= '0' && s.charAt(at) <= '9') {
                at++;
            }
            return at - start;
        }

        String string() {
            at++; // "
            StringBuilder out = null;
            int start = at;
            while (true) {
                if (at >= s.length()) {
                    throw error("a string without its closing quote");
                }
                char c = s.charAt(at);
                if (c == '"') {
                    String tail = s.substring(start, at++);
                    return out == null ? tail : out.append(tail).toString();
                }
                if (c < 0x20) {
                    throw error("a control character in a string");
                }
                if (c != '\\') {
                    at++;
                    continue;
                }
                if (out == null) {
                    out = new StringBuilder();
                }
                out.append(s, start, at);
                at++;
                if (at >= s.length()) {
                    throw error("a string without its closing quote");
                }
                char e = s.charAt(at++);
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (at + 4 > s.length()) {
                            throw error("a \\u escape without four hex digits");
                        }
                        try {
                            out.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                        } catch (NumberFormatException notHex) {
                            throw error("a \\u escape without four hex digits");
                        }
                        at += 4;
                    }
                    default -> throw error("the escape \\" + e);
                }
                start = at;
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Writing

    /** x as a JSON number that reads back as x; NaN and the infinities as the protocol's strings. */
    static void number(StringBuilder out, double x) {
        if (Double.isNaN(x)) {
            out.append("\"NaN\"");
        } else if (Double.isInfinite(x)) {
            out.append(x > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        } else {
            out.append(Double.toString(x)); // "1.0E-7" is valid JSON; -0.0 stays -0.0
        }
    }

    /** s in quotes, escaped; every character beyond ASCII as \\uXXXX, so lone surrogates too. */
    static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** A tree of Map, List, String, Number, Boolean, NULL and double arrays, as JSON. */
    static void value(StringBuilder out, Object value) {
        if (value instanceof String s) {
            string(out, s);
        } else if (value instanceof Double d) {
            number(out, d);
        } else if (value instanceof Float f) {
            number(out, f.doubleValue());
        } else if (value instanceof Number n) { // Integer, Long: written as integers
            out.append(n.longValue());
        } else if (value instanceof Boolean b) {
            out.append(b.booleanValue());
        } else if (value == NULL || value == null) {
            out.append("null");
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                string(out, (String) entry.getKey());
                out.append(':');
                value(out, entry.getValue());
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                value(out, list.get(i));
            }
            out.append(']');
        } else if (value instanceof double[] xs) {
            out.append('[');
            for (int i = 0; i < xs.length; i++) {
                if (i > 0) {
                    out.append(',');
                }
                number(out, xs[i]);
            }
            out.append(']');
        } else if (value instanceof int[] xs) {
            out.append('[');
            for (int i = 0; i < xs.length; i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(xs[i]);
            }
            out.append(']');
        } else if (value instanceof Object[] rows) { // double[][], double[][][]
            out.append('[');
            for (int i = 0; i < rows.length; i++) {
                if (i > 0) {
                    out.append(',');
                }
                value(out, rows[i]);
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("cannot write " + value.getClass() + " as JSON");
        }
    }

    /** value as one line of JSON. */
    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        value(out, value);
        return out.toString();
    }
}
