package org.nnfsconform.kit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoublePredicate;

/**
 * Every stage's inputs, params and outputs, declared once (the table at the bottom) and checked
 * by one engine. An input's shape is written in named dimensions ("B K": a batch of B samples
 * of K values); the first input that has a dimension fixes it and every later input and every
 * output must agree. "B" is the batch, "D" and "M" a second batch of another size
 * (repeated_forward's, model_training's validation samples): [] there is empty_batch. "*" is any rank-1 or rank-2 shape, the same wherever "*" appears in
 * the stage. An output dimension no input fixes (batches' S steps) is fixed by the first
 * output that has it, and the later ones must agree. The book tier's inputs are integers and
 * [integer, integer] pairs; its outputs' sizes follow from them ({@link #sized}), and an output
 * of shape "..." has the shape its stage's sizes give it (chapters' value: what is printed).
 *
 * <p>Inputs are checked in the table's order (docs/STAGES.md's): each one for an empty batch,
 * then ragged rows, then its rank and dimensions, then (labels) integers and their range, then
 * its domain. Only then is the learner called.
 */
final class Spec {
    /** A number outside its domain: the error kind and what the domain is. */
    record Domain(String kind, String text, DoublePredicate holds) {}

    static final Domain MASK = new Domain("invalid_value", "0 or 1", v -> v == 0 || v == 1);
    static final Domain BINARY_TARGET = new Domain("invalid_label", "0 or 1",
            v -> v == 0 || v == 1);
    static final Domain NON_NEGATIVE = new Domain("invalid_value", ">= 0", v -> !(v < 0));
    static final Domain DROP_RATE = new Domain("invalid_value", "in [0, 1)",
            v -> v >= 0 && v < 1);
    /** preprocess's pixels: integers 0-255 (an integral 3.0 is one, as in the reference). */
    static final Domain BYTE = new Domain("invalid_value", "a byte 0-255",
            v -> v == Math.rint(v) && v >= 0 && v <= 255);
    /** preprocess's labels: any integer, as the book's (else shape_mismatch, as book integers). */
    static final Domain INT = new Domain("shape_mismatch", "an integer",
            v -> Double.isFinite(v) && v == Math.rint(v));
    /** preprocess's keys: integers that together are a permutation of 0 .. B - 1. */
    static final Domain KEY = new Domain("invalid_value", "a key of a permutation of 0 .. B - 1",
            v -> v == Math.rint(v) && v >= 0);
    // NOTE: a wrong call kind is shape_mismatch, as every malformed book input (reference/).
    static final Domain CALL_KIND = new Domain("shape_mismatch", "a call kind 0, 1 or 2",
            v -> v == 0 || v == 1 || v == 2);

    /** np.random.seed takes 0 to 2^32 - 1; the other book integers size Java arrays. */
    static final long SEED = 4294967295L;
    static final long SIZE = Integer.MAX_VALUE;

    enum Form { ARRAY, LABELS, COUNT, INTEGER, PAIRS, INTS }

    /** One input: an array of the dimensions dims (rank 0: a number), labels, or a count. */
    static final class In {
        final String name;
        final Form form;
        final String[] dims;
        Domain domain;
        String transposeParam;
        String transposeWhen;
        long least;       // COUNT: the smallest value allowed
        String countDim;  // COUNT: the output dimension it fixes, or null
        long most;        // INTEGER, PAIRS: the largest value this kit takes
        boolean permutation; // INTS: together a permutation of 0 .. n - 1

        In(String name, Form form, String[] dims) {
            this.name = name;
            this.form = form;
            this.dims = dims;
        }
    }

    /** One output: its dimensions, and whether its values are integers. */
    record Out(String name, String[] dims, boolean integers) {}

    /** A book stage's output sizes, from its checked inputs and params. */
    @FunctionalInterface
    interface Sizes {
        void fix(Checked in);
    }

    final String stage;
    final List<In> inputs = new ArrayList<>();
    final Map<String, List<String>> params = new LinkedHashMap<>();
    final List<String> numberParams = new ArrayList<>();
    final List<Out> outputs = new ArrayList<>();
    Sizes sizes;

    private Spec(String stage) {
        this.stage = stage;
    }

    // -----------------------------------------------------------------------------------------
    // Declaring

    static Spec stage(String name) {
        return new Spec(name);
    }

    private static String[] dims(String shape) {
        return shape.isEmpty() ? new String[0] : shape.split(" ");
    }

    Spec in(String name, String shape) {
        inputs.add(new In(name, Form.ARRAY, dims(shape)));
        return this;
    }

    Spec in(String name, String shape, Domain domain) {
        in(name, shape);
        inputs.get(inputs.size() - 1).domain = domain;
        return this;
    }

    /** The last input arrives with its dimensions reversed when param is value: transpose it. */
    Spec transposedWhen(String param, String value) {
        In last = inputs.get(inputs.size() - 1);
        last.transposeParam = param;
        last.transposeWhen = value;
        return this;
    }

    /** Labels of the B samples of C classes, as params.label_format says. */
    Spec labels(String name) {
        return labels(name, "B");
    }

    /** Labels of another batch's samples (model_training's M validation samples). */
    Spec labels(String name, String batch) {
        inputs.add(new In(name, Form.LABELS, new String[] {batch, "C"}));
        return this;
    }

    /**
     * An array of integers (preprocess's images, labels, keys) of the dimensions shape, each
     * in domain (its kind otherwise); rank 1 reaches the learner as int[], rank 3 as int[][][].
     */
    Spec ints(String name, String shape, Domain domain) {
        In ints = new In(name, Form.INTS, dims(shape));
        ints.domain = domain;
        inputs.add(ints);
        return this;
    }

    /** The last input (ints of KEY) must hold every index 0 .. n - 1 once: invalid_value. */
    Spec permutation() {
        inputs.get(inputs.size() - 1).permutation = true;
        return this;
    }

    /** An integer >= least (iterations, steps); dim names it for the outputs. */
    Spec count(String name, long least, String dim) {
        In count = new In(name, Form.COUNT, new String[0]);
        count.least = least;
        count.countDim = dim;
        inputs.add(count);
        return this;
    }

    Spec param(String name, String... values) {
        params.put(name, List.of(values));
        return this;
    }

    /** A param that is a number (init's scale, the chapters' hyperparameters). */
    Spec numberParam(String name) {
        numberParams.add(name);
        return this;
    }

    /** A non-negative integer (else shape_mismatch); above most, the case is declined. */
    Spec integer(String name, long most) {
        In integer = new In(name, Form.INTEGER, new String[0]);
        integer.most = most;
        inputs.add(integer);
        return this;
    }

    /** A list of [first, second] pairs of integers (rng's calls, init's shapes). */
    Spec pairs(String name, String first, String second, Domain firstDomain) {
        In pairs = new In(name, Form.PAIRS, new String[] {first, second});
        pairs.domain = firstDomain;
        pairs.most = SIZE;
        inputs.add(pairs);
        return this;
    }

    /** The outputs' sizes follow from the inputs: fixed by sizes once every input is checked. */
    Spec sized(Sizes sizes) {
        this.sizes = sizes;
        return this;
    }

    Spec out(String name, String shape) {
        outputs.add(new Out(name, dims(shape), false));
        return this;
    }

    Spec outIntegers(String name, String shape) {
        outputs.add(new Out(name, dims(shape), true));
        return this;
    }

    // -----------------------------------------------------------------------------------------
    // Checking inputs

    /** An input that does not fit the stage: kind is one of docs/STAGES.md's error kinds. */
    static final class StageError extends RuntimeException {
        final String kind;

        StageError(String kind, String message) {
            super(message);
            this.kind = kind;
        }
    }

    /** A request that is not the protocol (a missing input or param): the kit stops. */
    static final class ProtocolError extends RuntimeException {
        ProtocolError(String message) {
            super(message);
        }
    }

    /** The inputs after the checks, as the learner's types, and the dimensions they fixed. */
    static final class Checked {
        final Map<String, Object> values = new LinkedHashMap<>();
        final Map<String, String> params = new LinkedHashMap<>();
        final Map<String, Integer> dims = new LinkedHashMap<>();
        final Map<String, String> fixedBy = new LinkedHashMap<>();
        final Map<String, int[]> outShapes = new LinkedHashMap<>(); // of the "..." outputs
        final Map<String, Boolean> outIntegers = new LinkedHashMap<>(); // of the "..." outputs
        int[] anyShape; // the shape of "*"

        double scalar(String name) {
            return (Double) values.get(name);
        }

        double[] vector(String name) {
            return (double[]) values.get(name);
        }

        double[][] matrix(String name) {
            return (double[][]) values.get(name);
        }

        Types.Labels labels(String name) {
            return (Types.Labels) values.get(name);
        }

        long count(String name) {
            return (Long) values.get(name);
        }

        long integer(String name) {
            return (Long) values.get(name);
        }

        int[][] pairs(String name) {
            return (int[][]) values.get(name);
        }

        int[] ints(String name) {
            return (int[]) values.get(name);
        }

        int[][][] ints3(String name) {
            return (int[][][]) values.get(name);
        }

        String param(String name) {
            return params.get(name);
        }
    }

    private static final int[] SCALAR = new int[0];

    /** Checks a run's inputs and params; throws StageError for the first invalid input. */
    Checked check(Map<String, Object> inputs, Map<String, Object> params, List<String> labels) {
        Checked in = new Checked();
        for (Map.Entry<String, List<String>> param : this.params.entrySet()) {
            Object value = params.get(param.getKey());
            if (!(value instanceof String s)) {
                throw new ProtocolError("run for " + stage + " has no string param "
                        + param.getKey());
            }
            List<String> known = param.getKey().equals("label_format") ? labels : param.getValue();
            if (!known.contains(s)) {
                throw new Unsupported(param.getKey() + " \"" + s + "\" is not one of "
                        + String.join(", ", known));
            }
            in.params.put(param.getKey(), s);
        }
        for (String name : numberParams) {
            Object value = params.get(name);
            if (!(value instanceof Double) && !NON_FINITE.contains(value)) {
                throw new ProtocolError("run for " + stage + " has no number param " + name);
            }
            in.values.put(name, number(null, value, name));
        }
        for (In input : this.inputs) {
            if (!inputs.containsKey(input.name)) {
                throw new ProtocolError("run for " + stage + " has no input " + input.name);
            }
            Object value = inputs.get(input.name);
            switch (input.form) {
                case ARRAY -> in.values.put(input.name, array(in, input, value));
                case LABELS -> in.values.put(input.name, labels(in, input, value));
                case COUNT -> in.values.put(input.name, count(in, input, value));
                case INTEGER -> in.values.put(input.name, integer(input, value, input.name));
                case PAIRS -> in.values.put(input.name, pairs(input, value));
                case INTS -> in.values.put(input.name, ints(in, input, value));
                default -> throw new IllegalStateException();
            }
        }
        if (sizes != null) {
            sizes.fix(in);
        }
        return in;
    }

    private static final List<String> NON_FINITE = List.of("NaN", "Infinity", "-Infinity");

    /** A book integer: a whole number >= 0, as the reference's integer() wants. */
    private static long integer(In input, Object value, String where) {
        double x = value instanceof Double d ? d : Double.NaN;
        if (!Double.isFinite(x) || x != Math.rint(x) || x < 0) {
            throw new StageError("shape_mismatch", where + " is " + show(value)
                    + ", not a non-negative integer");
        }
        if (x > input.most) {
            throw new Unsupported(where + " is " + show(value) + ": this kit takes integers up to "
                    + input.most);
        }
        return (long) x;
    }

    private static int[][] pairs(In input, Object value) {
        int[] shape = shape(input.name, value);
        if (shape.length != 2 || shape[1] != 2) {
            throw new StageError("shape_mismatch", input.name + " has shape "
                    + Arrays.toString(shape) + ", must be a list of [" + input.dims[0] + ", "
                    + input.dims[1] + "] pairs");
        }
        List<?> rows = (List<?>) value;
        int[][] pairs = new int[rows.size()][2];
        for (int i = 0; i < pairs.length; i++) {
            List<?> pair = (List<?>) rows.get(i);
            for (int j = 0; j < 2; j++) {
                pairs[i][j] = (int) integer(input, pair.get(j),
                        input.name + "[" + i + "][" + j + "]");
            }
            if (input.domain != null && !input.domain.holds().test(pairs[i][0])) {
                throw new StageError(input.domain.kind(), input.name + "[" + i + "][0] is "
                        + pairs[i][0] + ", not " + input.domain.text());
            }
        }
        return pairs;
    }

    private Object array(Checked in, In input, Object value) {
        String[] want = input.dims;
        boolean transposed = input.transposeParam != null
                && input.transposeWhen.equals(in.param(input.transposeParam));
        if (transposed) {
            want = new String[] {want[1], want[0]};
        }
        if (want.length > 0 && isBatch(want[0]) && value instanceof List<?> l && l.isEmpty()) {
            throw new StageError("empty_batch", input.name + " has no samples");
        }
        int[] shape = shape(input.name, value);
        if (want.length == 1 && want[0].equals("*")) {
            if (shape.length != 1 && shape.length != 2) {
                throw new StageError("shape_mismatch", input.name + " has shape "
                        + Arrays.toString(shape) + ", must have rank 1 or 2");
            }
            if (in.anyShape == null) {
                in.anyShape = shape;
            } else if (!Arrays.equals(in.anyShape, shape)) {
                throw new StageError("shape_mismatch", input.name + " has shape "
                        + Arrays.toString(shape) + ", must be " + Arrays.toString(in.anyShape)
                        + " as " + inputs.get(0).name);
            }
            double[][] rows = shape.length == 1
                    ? new double[][] {vector(input, value)} : matrix(input, value);
            checkDomain(input, rows);
            return rows;
        }
        fit(in, transposed ? input.name + " (" + input.transposeParam + " "
                + input.transposeWhen + ")" : input.name, shape, want);
        switch (want.length) {
            case 0 -> {
                double x = number(input, value, input.name);
                if (input.domain != null && !input.domain.holds().test(x)) {
                    throw new StageError(input.domain.kind(), input.name + " is "
                            + show(value) + ", not " + input.domain.text());
                }
                return x;
            }
            case 1 -> {
                return vector(input, value);
            }
            case 2 -> {
                double[][] rows = matrix(input, value);
                checkDomain(input, rows);
                return transposed ? transpose(rows, shape[1]) : rows;
            }
            default -> throw new IllegalStateException(input.name + ": rank " + want.length);
        }
    }

    /** "B", "D" and "M" (second batches) are batches: [] is empty_batch. */
    private static boolean isBatch(String dim) {
        return dim.equals("B") || dim.equals("D") || dim.equals("M");
    }

    /** Integers of the input's dimensions, each in its domain; keys, a permutation. */
    private Object ints(Checked in, In input, Object value) {
        if (input.dims.length > 0 && isBatch(input.dims[0]) && value instanceof List<?> l
                && l.isEmpty()) {
            throw new StageError("empty_batch", input.name + " has no samples");
        }
        int[] shape = shape(input.name, value);
        fit(in, input.name, shape, input.dims);
        Object ints = switch (shape.length) {
            case 1 -> intVector(input, (List<?>) value, input.name);
            case 3 -> {
                List<?> images = (List<?>) value;
                int[][][] result = new int[shape[0]][shape[1]][];
                for (int i = 0; i < shape[0]; i++) {
                    List<?> rows = (List<?>) images.get(i);
                    for (int r = 0; r < shape[1]; r++) {
                        result[i][r] = intVector(input, (List<?>) rows.get(r),
                                input.name + "[" + i + "][" + r + "]");
                    }
                }
                yield result;
            }
            default -> throw new IllegalStateException(input.name + ": rank " + shape.length);
        };
        if (input.permutation) { // every key is in [0, n) (intVector): none may come twice
            int[] keys = (int[]) ints;
            boolean[] seen = new boolean[keys.length];
            for (int i = 0; i < keys.length; i++) {
                if (seen[keys[i]]) {
                    throw new StageError("invalid_value", input.name + " is not a permutation of 0.."
                            + (keys.length - 1) + ": " + keys[i] + " comes twice");
                }
                seen[keys[i]] = true;
            }
        }
        return ints;
    }

    private static int[] intVector(In input, List<?> list, String where) {
        int[] xs = new int[list.size()];
        for (int i = 0; i < xs.length; i++) {
            Object x = list.get(i);
            double v = x instanceof Double d ? d : Double.NaN;
            if (!input.domain.holds().test(v) || input.permutation && v >= xs.length) {
                throw new StageError(input.domain.kind(), where + "[" + i + "] is " + show(x)
                        + ", not " + input.domain.text().replace("B - 1", (xs.length - 1) + ""));
            }
            if (Math.abs(v) > Integer.MAX_VALUE) {
                throw new Unsupported(where + "[" + i + "] is " + show(x)
                        + ": this kit takes integers up to " + Integer.MAX_VALUE);
            }
            xs[i] = (int) v;
        }
        return xs;
    }

    private Types.Labels labels(Checked in, In input, Object value) {
        boolean sparse = in.param("label_format").equals("sparse");
        int[] shape = shape(input.name, value);
        fit(in, input.name + " (" + in.param("label_format") + ")", shape,
                sparse ? new String[] {input.dims[0]} : input.dims);
        int classes = in.dims.get("C");
        List<?> rows = (List<?>) value;
        if (sparse) {
            int[] labels = new int[rows.size()];
            for (int b = 0; b < labels.length; b++) {
                Object label = rows.get(b);
                double y = label instanceof Double d ? d : Double.NaN;
                if (!(label instanceof Double) || !Double.isFinite(y) || y != Math.rint(y)) {
                    throw new StageError("invalid_label", input.name + "[" + b + "] is "
                            + show(label) + ", not an integer");
                }
                if (y < 0 || y >= classes) {
                    throw new StageError("label_out_of_range", input.name + "[" + b + "] is "
                            + show(label) + ", not in [0, " + classes + ")");
                }
                labels[b] = (int) y;
            }
            return new Types.Labels.Sparse(labels);
        }
        double[][] oneHot = new double[rows.size()][classes];
        for (int b = 0; b < oneHot.length; b++) {
            List<?> row = (List<?>) rows.get(b);
            int ones = 0;
            for (int c = 0; c < classes; c++) {
                Object y = row.get(c);
                if (!(y instanceof Double d) || (d != 0 && d != 1)) {
                    ones = -1;
                    break;
                }
                oneHot[b][c] = d;
                ones += d == 1 ? 1 : 0;
            }
            if (ones != 1) {
                throw new StageError("invalid_label", input.name + "[" + b + "] is "
                        + show(row) + ", not one 1 among 0s");
            }
        }
        return new Types.Labels.OneHot(oneHot);
    }

    private Long count(Checked in, In input, Object value) {
        double x = value instanceof Double d ? d : Double.NaN;
        if (!Double.isFinite(x) || x != Math.rint(x) || x < input.least || x > Integer.MAX_VALUE) {
            throw new StageError("invalid_value", input.name + " is " + show(value)
                    + ", not an integer >= " + input.least);
        }
        if (input.countDim != null) {
            in.dims.put(input.countDim, (int) x);
        }
        return (long) x;
    }

    /** The input's shape agrees with the dimensions want, fixing those not yet fixed. */
    private void fit(Checked in, String name, int[] shape, String[] want) {
        if (shape.length != want.length) {
            throw new StageError("shape_mismatch", name + " has shape " + Arrays.toString(shape)
                    + ", must be " + (want.length == 0 ? "a single number"
                            : "[" + String.join(", ", want) + "]"));
        }
        for (int i = 0; i < want.length; i++) {
            Integer fixed = in.dims.get(want[i]);
            if (fixed == null) {
                in.dims.put(want[i], shape[i]);
                in.fixedBy.put(want[i], name);
            } else if (fixed != shape[i]) {
                throw new StageError("shape_mismatch", name + " has shape "
                        + Arrays.toString(shape) + ", must be [" + String.join(", ", want)
                        + "] with " + want[i] + " = " + fixed + " as in "
                        + in.fixedBy.get(want[i]));
            }
        }
    }

    /** A value as JSON for a message, integral numbers without ".0" ("steps is 0"). */
    static String show(Object value) {
        if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) (double) d);
        }
        if (value instanceof List<?> list) {
            StringBuilder out = new StringBuilder("[");
            for (Object x : list) {
                out.append(out.length() > 1 ? ", " : "").append(show(x));
            }
            return out.append("]").toString();
        }
        return Json.write(value == null ? Json.NULL : value);
    }

    /** The shape of a nested list (numbers have shape []); rows of different shapes are ragged. */
    static int[] shape(String name, Object value) {
        if (!(value instanceof List<?> list)) {
            return SCALAR;
        }
        int[] inner = list.isEmpty() ? SCALAR : shape(name + "[0]", list.get(0));
        for (int i = 1; i < list.size(); i++) {
            int[] other = shape(name + "[" + i + "]", list.get(i));
            if (!Arrays.equals(inner, other)) {
                throw new StageError("ragged_rows", name + " has rows of different shapes: "
                        + name + "[0] is " + Arrays.toString(inner) + ", " + name + "[" + i
                        + "] is " + Arrays.toString(other));
            }
        }
        int[] shape = new int[inner.length + 1];
        shape[0] = list.size();
        System.arraycopy(inner, 0, shape, 1, inner.length);
        return shape;
    }

    /** A number, or one of the protocol's strings "NaN", "Infinity", "-Infinity". */
    private static double number(In input, Object value, String where) {
        if (value instanceof Double d) {
            return d;
        }
        if (value instanceof String s) {
            switch (s) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
        }
        // A true where a mask or a target is wanted is outside its domain; elsewhere, a number
        // was wanted and this is something else.
        String kind = input != null && input.domain != null ? input.domain.kind()
                : "shape_mismatch";
        throw new StageError(kind, where + " is " + show(value) + ", not a number");
    }

    private static double[] vector(In input, Object value) {
        List<?> list = (List<?>) value;
        double[] xs = new double[list.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = number(input, list.get(i), input.name + "[" + i + "]");
        }
        return xs;
    }

    private static double[][] matrix(In input, Object value) {
        List<?> list = (List<?>) value;
        double[][] rows = new double[list.size()][];
        for (int b = 0; b < rows.length; b++) {
            List<?> row = (List<?>) list.get(b);
            rows[b] = new double[row.size()];
            for (int i = 0; i < rows[b].length; i++) {
                rows[b][i] = number(input, row.get(i), input.name + "[" + b + "][" + i + "]");
            }
        }
        return rows;
    }

    private static void checkDomain(In input, double[][] rows) {
        if (input.domain == null) {
            return;
        }
        for (int b = 0; b < rows.length; b++) {
            for (int i = 0; i < rows[b].length; i++) {
                if (!input.domain.holds().test(rows[b][i])) {
                    throw new StageError(input.domain.kind(), input.name + "[" + b + "][" + i
                            + "] is " + show(rows[b][i]) + ", not " + input.domain.text());
                }
            }
        }
    }

    private static double[][] transpose(double[][] rows, int columns) {
        double[][] result = new double[columns][rows.length];
        for (int r = 0; r < rows.length; r++) {
            for (int c = 0; c < columns; c++) {
                result[c][r] = rows[r][c];
            }
        }
        return result;
    }

    // -----------------------------------------------------------------------------------------
    // Checking outputs

    /** A learner's output of the wrong shape or type: the message starts with "returned". */
    static final class OutputError extends RuntimeException {
        OutputError(String message) {
            super(message);
        }
    }

    /** The learner's outputs, checked against the dimensions the inputs fixed, in reply order. */
    Map<String, Object> outputs(Checked in, Map<String, Object> got) {
        Map<String, Object> reply = new LinkedHashMap<>();
        for (Out out : outputs) {
            Object value = got.get(out.name());
            if (value == null) {
                throw new OutputError("returned no " + out.name());
            }
            if (out.dims().length == 1 && out.dims()[0].equals("...")) {
                expect(out.name(), value, in.outShapes.get(out.name()), out.dims(),
                        in.outIntegers.getOrDefault(out.name(), false));
                reply.put(out.name(), value);
                continue;
            }
            if (out.dims().length == 1 && out.dims()[0].equals("*")) {
                int[] want = in.anyShape.length == 1 ? new int[] {1, in.anyShape[0]} : in.anyShape;
                expect(out.name(), value, want, out.dims(), false);
                reply.put(out.name(), in.anyShape.length == 1 ? ((double[][]) value)[0] : value);
                continue;
            }
            int[] want = new int[out.dims().length];
            int[] shown = null;
            for (int i = 0; i < want.length; i++) {
                Integer fixed = in.dims.get(out.dims()[i]);
                if (fixed == null) { // no input fixes it (batches' S): this output does
                    shown = shown != null ? shown
                            : javaShape(value, out.integers(), want.length);
                    if (shown == null) {
                        throw new OutputError("returned " + out.name() + " as " + describe(value)
                                + ", must be [" + String.join(", ", out.dims()) + "]");
                    }
                    fixed = shown[i];
                    in.dims.put(out.dims()[i], fixed);
                }
                want[i] = fixed;
            }
            expect(out.name(), value, want, out.dims(), out.integers());
            reply.put(out.name(), value);
        }
        return reply;
    }

    private static void expect(String name, Object value, int[] want, String[] dims,
                               boolean integers) {
        String shape = Arrays.toString(want);
        if (dims.length > 0 && !dims[0].equals("*") && !dims[0].equals("...")) {
            shape = "[" + String.join(", ", dims) + "] = " + shape;
        }
        String must = ", must be " + (want.length == 0 ? "a single number" : shape);
        int[] got = javaShape(value, integers, want.length);
        if (got == null) {
            throw new OutputError("returned " + name + " as " + describe(value) + must);
        }
        if (!Arrays.equals(got, want)) {
            throw new OutputError("returned " + name + " of shape " + Arrays.toString(got)
                    + must);
        }
    }

    /** The shape of a Java value of the given rank, or null if it is another type or ragged. */
    private static int[] javaShape(Object value, boolean integers, int rank) {
        if (rank == 0) {
            boolean ok = integers ? value instanceof Integer || value instanceof Long
                    : value instanceof Double;
            return ok ? SCALAR : null;
        }
        if (rank == 1) {
            if (integers) {
                return value instanceof int[] xs ? new int[] {xs.length} : null;
            }
            return value instanceof double[] xs ? new int[] {xs.length} : null;
        }
        if (!(value instanceof Object[] rows) || rows.length == 0 && !(value instanceof double[][]
                || value instanceof double[][][])) {
            return null;
        }
        int[] inner = null;
        for (Object row : rows) {
            int[] shape = row == null ? null : javaShape(row, integers, rank - 1);
            if (shape == null || inner != null && !Arrays.equals(inner, shape)) {
                return null;
            }
            inner = shape;
        }
        int[] shape = new int[rank];
        shape[0] = rows.length;
        if (inner != null) {
            System.arraycopy(inner, 0, shape, 1, inner.length);
        }
        return shape;
    }

    private static String describe(Object value) {
        if (value instanceof Object[] rows) {
            for (Object row : rows) {
                if (row == null) {
                    return "an array with a null row";
                }
            }
            return "a ragged or mistyped " + value.getClass().getSimpleName();
        }
        return value.getClass().getSimpleName();
    }

    // -----------------------------------------------------------------------------------------
    // The table: docs/STAGES.md, stage by stage. B samples, K inputs, N neurons, C classes,
    // H hidden units, O outputs, S steps.

    static final Map<String, Spec> STAGES = table(
        stage("neuron").in("inputs", "K").in("weights", "K").in("bias", "")
            .out("output", ""),
        stage("layer").in("inputs", "K").in("weights", "N K").in("biases", "N")
            .out("output", "N"),
        stage("dense_batch").param("weights_layout", "inputs_neurons", "neurons_inputs")
            .in("inputs", "B K")
            .in("weights", "K N").transposedWhen("weights_layout", "neurons_inputs")
            .in("biases", "N")
            .out("output", "B N"),
        stage("relu").in("inputs", "*")
            .out("output", "*"),
        stage("dense_relu").in("inputs", "B K").in("weights", "K N").in("biases", "N")
            .out("dense", "B N").out("relu", "B N"),
        stage("softmax").in("inputs", "B C")
            .out("output", "B C"),
        stage("dense_relu_dense_softmax")
            .in("inputs", "B K").in("weights1", "K H").in("biases1", "H")
            .in("weights2", "H C").in("biases2", "C")
            .out("dense1", "B H").out("relu1", "B H").out("dense2", "B C").out("softmax", "B C"),
        stage("categorical_crossentropy").param("label_format")
            .in("y_pred", "B C").labels("y_true")
            .out("sample_losses", "B").out("loss", ""),
        stage("accuracy").param("label_format")
            .in("y_pred", "B C").labels("y_true")
            .outIntegers("predictions", "B").out("accuracy", ""),
        stage("forward").param("label_format")
            .in("inputs", "B K").in("weights1", "K H").in("biases1", "H")
            .in("weights2", "H C").in("biases2", "C").labels("y_true")
            .out("dense1", "B H").out("relu1", "B H").out("dense2", "B C").out("softmax", "B C")
            .out("sample_losses", "B").out("loss", "")
            .outIntegers("predictions", "B").out("accuracy", ""),

        stage("dense_backward").in("inputs", "B K").in("weights", "K N").in("dvalues", "B N")
            .out("dweights", "K N").out("dbiases", "N").out("dinputs", "B K"),
        stage("relu_backward").in("inputs", "*").in("dvalues", "*")
            .out("dinputs", "*"),
        // B samples in the first batch, D in the second
        stage("repeated_forward").in("inputs1", "B K").in("inputs2", "D K")
            .in("weights", "K N").in("biases", "N").in("dvalues", "D N")
            .out("output1", "B N").out("output2", "D N")
            .out("dweights", "K N").out("dbiases", "N").out("dinputs", "D K"),
        stage("softmax_backward").in("output", "B C").in("dvalues", "B C")
            .out("dinputs", "B C"),
        stage("categorical_crossentropy_backward").param("label_format")
            .in("y_pred", "B C").labels("y_true")
            .out("dinputs", "B C"),
        stage("softmax_crossentropy_backward").param("label_format")
            .param("path", "combined", "separate")
            .in("y_pred", "B C").labels("y_true")
            .out("dinputs", "B C"),
        stage("regularization").in("weights", "K N").in("biases", "N")
            .in("weight_regularizer_l1", "", NON_NEGATIVE)
            .in("weight_regularizer_l2", "", NON_NEGATIVE)
            .in("bias_regularizer_l1", "", NON_NEGATIVE)
            .in("bias_regularizer_l2", "", NON_NEGATIVE)
            .out("loss", "").out("dweights", "K N").out("dbiases", "N"),
        stage("dropout").in("inputs", "B N").in("mask", "B N", MASK).in("rate", "", DROP_RATE)
            .in("dvalues", "B N")
            .out("output", "B N").out("dinputs", "B N"),
        stage("sigmoid").in("inputs", "B N").in("dvalues", "B N")
            .out("output", "B N").out("dinputs", "B N"),
        stage("binary_crossentropy").in("y_pred", "B O").in("y_true", "B O", BINARY_TARGET)
            .out("sample_losses", "B").out("loss", "").out("dinputs", "B O"),
        stage("binary_accuracy").in("y_pred", "B O").in("y_true", "B O", BINARY_TARGET)
            .outIntegers("predictions", "B O").out("accuracy", ""),
        stage("linear").in("inputs", "B N").in("dvalues", "B N")
            .out("output", "B N").out("dinputs", "B N"),
        stage("mean_squared_error").in("y_pred", "B O").in("y_true", "B O")
            .out("sample_losses", "B").out("loss", "").out("dinputs", "B O"),
        stage("mean_absolute_error").in("y_pred", "B O").in("y_true", "B O")
            .out("sample_losses", "B").out("loss", "").out("dinputs", "B O"),
        stage("regression_accuracy").in("y_pred", "B O").in("y_true", "B O")
            .in("precision", "", NON_NEGATIVE)
            .out("accuracy", ""),
        optimizer("sgd_step", "weight_momentums", "bias_momentums")
            .in("learning_rate", "").in("decay", "").in("momentum", "")
            .out("weights", "K N").out("biases", "N")
            .out("weight_momentums", "K N").out("bias_momentums", "N")
            .out("learning_rate", "").outIntegers("iterations", ""),
        optimizer("adagrad_step", "weight_cache", "bias_cache")
            .in("learning_rate", "").in("decay", "").in("epsilon", "")
            .out("weights", "K N").out("biases", "N")
            .out("weight_cache", "K N").out("bias_cache", "N")
            .out("learning_rate", "").outIntegers("iterations", ""),
        optimizer("rmsprop_step", "weight_cache", "bias_cache")
            .in("learning_rate", "").in("decay", "").in("epsilon", "").in("rho", "")
            .out("weights", "K N").out("biases", "N")
            .out("weight_cache", "K N").out("bias_cache", "N")
            .out("learning_rate", "").outIntegers("iterations", ""),
        optimizer("adam_step", "weight_momentums", "bias_momentums", "weight_cache", "bias_cache")
            .in("learning_rate", "").in("decay", "").in("epsilon", "")
            .in("beta_1", "").in("beta_2", "")
            .out("weights", "K N").out("biases", "N")
            .out("weight_momentums", "K N").out("bias_momentums", "N")
            .out("weight_cache", "K N").out("bias_cache", "N")
            .out("learning_rate", "").outIntegers("iterations", ""),
        stage("shared_optimizer")
            .in("weights1", "K H").in("biases1", "H").in("weights2", "H C").in("biases2", "C")
            .in("dweights1", "K H").in("dbiases1", "H").in("dweights2", "H C").in("dbiases2", "C")
            .count("steps", 1, null)
            .in("learning_rate", "").in("decay", "").in("epsilon", "")
            .in("beta_1", "").in("beta_2", "")
            .out("weights1", "K H").out("biases1", "H").out("weights2", "H C").out("biases2", "C"),
        // NOTE: y_true is checked after the layers, which fix C (as the reference does).
        stage("training").param("label_format").param("optimizer", "sgd", "adagrad", "rmsprop", "adam")
            .in("inputs", "B K").in("weights1", "K H").in("biases1", "H")
            .in("weights2", "H C").in("biases2", "C").labels("y_true")
            .count("steps", 1, "S")
            .in("learning_rate", "").in("decay", "").in("momentum", "").in("epsilon", "")
            .in("rho", "").in("beta_1", "").in("beta_2", "")
            .out("loss", "S").out("accuracy", "S").out("learning_rate", "S")
            .out("weights1", "S K H").out("biases1", "S H")
            .out("weights2", "S H C").out("biases2", "S C"),
        // Model.train: E epochs over B samples in batches, M validation samples. NOTE: the
        // labels come after the layers, which fix C (as the reference does).
        stage("model_training").param("label_format")
            .param("optimizer", "sgd", "adagrad", "rmsprop", "adam")
            .in("inputs", "B K").in("weights1", "K H").in("biases1", "H")
            .in("weights2", "H C").in("biases2", "C").labels("y_true")
            .in("validation_inputs", "M K").labels("validation_y_true", "M")
            .count("epochs", 1, "E").count("batch_size", 1, null)
            .in("weight_regularizer_l1", "", NON_NEGATIVE)
            .in("weight_regularizer_l2", "", NON_NEGATIVE)
            .in("bias_regularizer_l1", "", NON_NEGATIVE)
            .in("bias_regularizer_l2", "", NON_NEGATIVE)
            .in("learning_rate", "").in("decay", "").in("momentum", "").in("epsilon", "")
            .in("rho", "").in("beta_1", "").in("beta_2", "")
            .out("loss", "E").out("data_loss", "E").out("regularization_loss", "E")
            .out("accuracy", "E").out("learning_rate", "E")
            .out("validation_loss", "E").out("validation_accuracy", "E")
            .out("weights1", "K H").out("biases1", "H").out("weights2", "H C").out("biases2", "C"),

        // The Model (chapters 18-22). H x W pixels an image, P = H·W; S batches.
        stage("preprocess").ints("images", "B H W", BYTE).ints("labels", "B", INT)
            .ints("keys", "B", KEY).permutation()
            .sized(in -> in.dims.put("P", in.dims.get("H") * in.dims.get("W")))
            .out("x", "B P").outIntegers("y", "B"),
        stage("batches").in("inputs", "B K").count("batch_size", 1, null)
            .outIntegers("steps", "").outIntegers("batch_sizes", "S")
            .out("first_rows", "S K").out("last_rows", "S K"),
        stage("predictions").param("activation", "softmax", "sigmoid", "linear")
            .in("inputs", "B N")
            .sized(Spec::predictionsSizes)
            .out("predictions", "..."),
        stage("evaluate").param("label_format")
            .in("y_pred", "B C").labels("y_true").count("batch_size", 1, null)
            .out("loss", "").out("accuracy", ""),
        stage("parameters")
            .in("inputs", "B K").in("weights1", "K H").in("biases1", "H")
            .in("weights2", "H C").in("biases2", "C")
            .out("weights1", "K H").out("biases1", "H").out("weights2", "H C").out("biases2", "C")
            .out("output", "B C"),

        // The book tier (docs/BOOK.md). V values drawn, R rows of X values, W weights,
        // N keys.
        stage("rng").integer("seed", SEED).pairs("calls", "kind", "count", CALL_KIND)
            .sized(Spec::rngSizes)
            .out("values", "V"),
        stage("datasets").param("dataset", "spiral", "vertical", "sine")
            .integer("seed", SEED).integer("samples", SIZE).integer("classes", SIZE)
            .sized(Spec::datasetSizes)
            .out("x", "R X").out("y", "..."),
        stage("init").numberParam("scale")
            .integer("seed", SEED).integer("skip", SIZE)
            .pairs("shapes", "n_inputs", "n_neurons", null)
            .sized(Spec::initSizes)
            .out("weights", "W"),
        stage("shuffle").integer("seed", SEED).integer("samples", SIZE)
            .sized(in -> in.dims.put("N", (int) in.integer("samples")))
            .outIntegers("keys", "N"),
        stage("chapters").param("printed", "dense1_output", "softmax_output", "loss", "accuracy",
                "dweights1", "dbiases1", "dweights2", "dbiases2", "weights1", "biases1",
                "weights2", "biases2", "learning_rate")
            .param("optimizer", "sgd", "adagrad", "rmsprop", "adam")
            .numberParam("learning_rate").numberParam("decay").numberParam("momentum")
            .integer("seed", SEED).integer("samples", SIZE).integer("classes", SIZE)
            .integer("hidden", SIZE).integer("steps", SIZE)
            .sized(Spec::chaptersSizes)
            .out("value", "..."));

    /** predictions: class indices (B), 0/1 (B x N) or the outputs themselves (B x N). */
    private static void predictionsSizes(Checked in) {
        int samples = in.dims.get("B");
        int outputs = in.dims.get("N");
        boolean softmax = in.param("activation").equals("softmax");
        in.outShapes.put("predictions", softmax ? new int[] {samples}
                : new int[] {samples, outputs});
        in.outIntegers.put("predictions", !in.param("activation").equals("linear"));
    }

    /** rng: V, the values the calls draw. */
    private static void rngSizes(Checked in) {
        long total = 0;
        for (int[] call : in.pairs("calls")) {
            total = size(total + call[1], "calls draw");
        }
        in.dims.put("V", (int) total);
    }

    /** datasets: R rows of X values; y is R labels, or (sine) R rows of one value. */
    private static void datasetSizes(Checked in) {
        boolean sine = in.param("dataset").equals("sine");
        int rows = (int) size(in.integer("samples") * (sine ? 1 : in.integer("classes")),
                "the dataset has");
        in.dims.put("R", rows);
        in.dims.put("X", sine ? 1 : 2);
        in.outShapes.put("y", sine ? new int[] {rows, 1} : new int[] {rows});
    }

    /** init: W, every layer's n_inputs x n_neurons weights. */
    private static void initSizes(Checked in) {
        long total = 0;
        for (int[] shape : in.pairs("shapes")) {
            total = size(total + (long) shape[0] * shape[1], "the layers hold");
        }
        in.dims.put("W", (int) total);
    }

    /** chapters: the shape of what params.printed names (docs/STAGES.md). */
    private static void chaptersSizes(Checked in) {
        int hidden = (int) in.integer("hidden");
        int classes = (int) in.integer("classes");
        int rows = (int) Math.min(5, in.integer("samples") * in.integer("classes"));
        in.outShapes.put("value", switch (in.param("printed")) {
            case "loss", "accuracy", "learning_rate" -> SCALAR;
            case "dense1_output" -> new int[] {rows, hidden};
            case "softmax_output" -> new int[] {rows, classes};
            case "dweights1", "weights1" -> new int[] {2, hidden};
            case "dbiases1", "biases1" -> new int[] {1, hidden};
            case "dweights2", "weights2" -> new int[] {hidden, classes};
            case "dbiases2", "biases2" -> new int[] {1, classes};
            default -> throw new IllegalStateException(in.param("printed"));
        });
    }

    /** A count of values that must fit a Java array, else the case is declined. */
    private static long size(long count, String what) {
        if (count > Integer.MAX_VALUE) {
            throw new Unsupported(what + " more than " + Integer.MAX_VALUE
                    + " values, more than a Java array holds");
        }
        return count;
    }

    /** An optimizer step's layer: weights, biases, their gradients and state, iterations. */
    private static Spec optimizer(String name, String... state) {
        Spec spec = stage(name).in("weights", "K N").in("biases", "N")
                .in("dweights", "K N").in("dbiases", "N");
        for (String array : state) {
            spec.in(array, array.startsWith("weight") ? "K N" : "N");
        }
        return spec.count("iterations", 0, null);
    }

    private static Map<String, Spec> table(Spec... specs) {
        Map<String, Spec> table = new LinkedHashMap<>();
        for (Spec spec : specs) {
            table.put(spec.stage, spec);
        }
        return table;
    }
}
