package nnfs;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * The Java port of nnfs-conformance: protocol 1, JSON Lines over stdin and stdout.
 *
 * <p>Reads one message a line, answers each with one line, and flushes. Serves both
 * transports: a session (many messages, then {"cmd":"bye"}) and one-shot (one message, then
 * end of input). Run it under the suite's runner:
 * {@code nnfs-conform run -- java -jar ports/java/target/nnfs-port.jar}
 */
public final class Port {
    private Port() {}

    static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static final String[] STAGES = {"neuron", "layer", "dense_batch", "relu", "softmax",
        "categorical_crossentropy", "accuracy", "forward",
        "dense_backward", "relu_backward", "softmax_backward",
        "categorical_crossentropy_backward", "softmax_crossentropy_backward", "regularization",
        "dropout", "sigmoid", "binary_crossentropy", "mean_squared_error", "mean_absolute_error",
        "sgd_step", "adagrad_step", "rmsprop_step", "adam_step", "training"};

    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(
                new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Writer out = new BufferedWriter(
                new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) { // null: end of input, as in one-shot
            if (line.isBlank()) {
                continue;
            }
            JsonNode reply;
            try {
                reply = answer(line);
            } catch (Exception e) {
                // A bad request or a bug in this port. The protocol has no error kind for
                // that, so say why on stderr and exit non-zero: the runner restarts us.
                String request = line.length() > 200 ? line.substring(0, 200) + "..." : line;
                String why = e.toString().replaceAll("\\s*\n\\s*", " "); // one line
                System.err.println("nnfs-port: cannot answer " + request + ": " + why);
                System.exit(1);
                return;
            }
            if (reply == null) { // bye
                return;
            }
            out.write(JSON.writeValueAsString(reply));
            out.write('\n');
            out.flush();
        }
    }

    /** The reply to one line, or null for bye. Throws on anything that is not the protocol. */
    static JsonNode answer(String line) throws IOException {
        JsonNode message = JSON.readTree(line);
        String cmd = message.path("cmd").asText();
        return switch (cmd) {
            case "hello" -> hello();
            case "run" -> run(message);
            case "bye" -> null;
            default -> throw new IllegalArgumentException("unknown cmd '" + cmd + "'");
        };
    }

    static ObjectNode hello() {
        ObjectNode hello = JSON.createObjectNode();
        hello.put("protocol", 1);
        hello.put("name", "java-plain");
        hello.put("language", "java");
        hello.put("dtype", "float64");
        ArrayNode stages = hello.putArray("stages");
        for (String stage : STAGES) {
            stages.add(stage);
        }
        hello.putArray("label_formats").add("sparse").add("onehot");
        hello.put("checks_inputs", true);
        hello.put("version", "0.1.0");
        return hello;
    }

    /** Answers a run message: the stage's outputs, or the kind of error its inputs have. */
    static ObjectNode run(JsonNode message) {
        ObjectNode reply = JSON.createObjectNode();
        reply.set("seq", message.required("seq"));
        try {
            reply.set("outputs", outputs(message.required("stage").asText(),
                    message.required("inputs"), message.path("params")));
        } catch (StageError error) {
            ObjectNode e = reply.putObject("error");
            e.put("kind", error.kind);
            e.put("message", error.getMessage());
        }
        return reply;
    }

    /** Reads the stage's inputs, calls it, and names its outputs. */
    static ObjectNode outputs(String stage, JsonNode in, JsonNode params) {
        ObjectNode out = JSON.createObjectNode();
        switch (stage) {
            case "neuron" -> out.set("output", json(Nnfs.neuron(
                    vector("inputs", in.required("inputs")),
                    vector("weights", in.required("weights")),
                    number("bias", in.required("bias")))));
            case "layer" -> out.set("output", json(Nnfs.layer(
                    vector("inputs", in.required("inputs")),
                    matrix("weights", in.required("weights")),
                    vector("biases", in.required("biases")))));
            case "dense_batch" -> out.set("output", json(Nnfs.denseBatch(
                    matrix("inputs", in.required("inputs")),
                    matrix("weights", in.required("weights")),
                    vector("biases", in.required("biases")),
                    params.path("weights_layout").asText("inputs_neurons"))));
            case "relu" -> {
                JsonNode inputs = in.required("inputs");
                out.set("output", hasRows(inputs)
                        ? json(Nnfs.relu(matrix("inputs", inputs)))
                        : json(Nnfs.relu(vector("inputs", inputs))));
            }
            case "softmax" -> out.set("output", json(Nnfs.softmax(
                    matrix("inputs", in.required("inputs")))));
            case "categorical_crossentropy" -> {
                Nnfs.Loss loss = Nnfs.categoricalCrossentropy(
                        matrix("y_pred", in.required("y_pred")), labels(in, params));
                putLoss(out, loss);
            }
            case "accuracy" -> {
                Nnfs.Accuracy accuracy = Nnfs.accuracy(
                        matrix("y_pred", in.required("y_pred")), labels(in, params));
                putAccuracy(out, accuracy);
            }
            case "forward" -> {
                Nnfs.Forward forward = Nnfs.forward(
                        matrix("inputs", in.required("inputs")),
                        matrix("weights1", in.required("weights1")),
                        vector("biases1", in.required("biases1")),
                        matrix("weights2", in.required("weights2")),
                        vector("biases2", in.required("biases2")),
                        labels(in, params));
                out.set("dense1", json(forward.dense1()));
                out.set("relu1", json(forward.relu1()));
                out.set("dense2", json(forward.dense2()));
                out.set("softmax", json(forward.softmax()));
                putLoss(out, forward.loss());
                putAccuracy(out, forward.accuracy());
            }
            default -> {
                if (!trainingOutputs(out, stage, in, params)) {
                    throw new IllegalArgumentException("unknown stage '" + stage + "'");
                }
            }
        }
        return out;
    }

    /** The stages of chapters 9 to 17 (see {@link Training}); false for another name. */
    static boolean trainingOutputs(ObjectNode out, String stage, JsonNode in, JsonNode params) {
        switch (stage) {
            case "dense_backward" -> {
                Training.DenseGradients gradients = Training.denseBackward(
                        matrix("inputs", in.required("inputs")),
                        matrix("weights", in.required("weights")),
                        matrix("dvalues", in.required("dvalues")));
                out.set("dweights", json(gradients.dweights()));
                out.set("dbiases", json(gradients.dbiases()));
                out.set("dinputs", json(gradients.dinputs()));
            }
            case "relu_backward" -> {
                JsonNode inputs = in.required("inputs");
                JsonNode dvalues = in.required("dvalues");
                out.set("dinputs", hasRows(inputs)
                        ? json(Training.reluBackward(matrix("inputs", inputs),
                                matrix("dvalues", dvalues)))
                        : json(Training.reluBackward(vector("inputs", inputs),
                                vector("dvalues", dvalues))));
            }
            case "softmax_backward" -> out.set("dinputs", json(Training.softmaxBackward(
                    matrix("output", in.required("output")),
                    matrix("dvalues", in.required("dvalues")))));
            case "categorical_crossentropy_backward" -> out.set("dinputs", json(
                    Training.categoricalCrossentropyBackward(
                            matrix("y_pred", in.required("y_pred")), labels(in, params))));
            case "softmax_crossentropy_backward" -> out.set("dinputs", json(
                    Training.softmaxCrossentropyBackward(
                            matrix("y_pred", in.required("y_pred")), labels(in, params),
                            params.path("path").asText("combined"))));
            case "regularization" -> {
                Training.Regularization regularization = Training.regularization(
                        matrix("weights", in.required("weights")),
                        vector("biases", in.required("biases")),
                        scalar(in, "weight_regularizer_l1"), scalar(in, "weight_regularizer_l2"),
                        scalar(in, "bias_regularizer_l1"), scalar(in, "bias_regularizer_l2"));
                out.set("loss", json(regularization.loss()));
                out.set("dweights", json(regularization.dweights()));
                out.set("dbiases", json(regularization.dbiases()));
            }
            case "dropout" -> putActivation(out, Training.dropout(
                    matrix("inputs", in.required("inputs")),
                    zerosAndOnes("mask", in.required("mask"), "invalid_value"),
                    scalar(in, "rate"),
                    matrix("dvalues", in.required("dvalues"))));
            case "sigmoid" -> putActivation(out, Training.sigmoid(
                    matrix("inputs", in.required("inputs")),
                    matrix("dvalues", in.required("dvalues"))));
            case "binary_crossentropy" -> putLossGradient(out, Training.binaryCrossentropy(
                    matrix("y_pred", in.required("y_pred")),
                    zerosAndOnes("y_true", in.required("y_true"), "invalid_label")));
            case "mean_squared_error" -> putLossGradient(out, Training.meanSquaredError(
                    matrix("y_pred", in.required("y_pred")),
                    matrix("y_true", in.required("y_true"))));
            case "mean_absolute_error" -> putLossGradient(out, Training.meanAbsoluteError(
                    matrix("y_pred", in.required("y_pred")),
                    matrix("y_true", in.required("y_true"))));
            case "sgd_step" -> putStep(out, Training.sgdStep(
                    layer(in, "weights", "biases"), layer(in, "dweights", "dbiases"),
                    layer(in, "weight_momentums", "bias_momentums"),
                    count("iterations", in.required("iterations")),
                    scalar(in, "learning_rate"), scalar(in, "decay"), scalar(in, "momentum")));
            case "adagrad_step" -> putStep(out, Training.adagradStep(
                    layer(in, "weights", "biases"), layer(in, "dweights", "dbiases"),
                    layer(in, "weight_cache", "bias_cache"),
                    count("iterations", in.required("iterations")),
                    scalar(in, "learning_rate"), scalar(in, "decay"), scalar(in, "epsilon")));
            case "rmsprop_step" -> putStep(out, Training.rmspropStep(
                    layer(in, "weights", "biases"), layer(in, "dweights", "dbiases"),
                    layer(in, "weight_cache", "bias_cache"),
                    count("iterations", in.required("iterations")),
                    scalar(in, "learning_rate"), scalar(in, "decay"), scalar(in, "epsilon"),
                    scalar(in, "rho")));
            case "adam_step" -> putStep(out, Training.adamStep(
                    layer(in, "weights", "biases"), layer(in, "dweights", "dbiases"),
                    layer(in, "weight_momentums", "bias_momentums"),
                    layer(in, "weight_cache", "bias_cache"),
                    count("iterations", in.required("iterations")),
                    scalar(in, "learning_rate"), scalar(in, "decay"), scalar(in, "epsilon"),
                    scalar(in, "beta_1"), scalar(in, "beta_2")));
            case "training" -> {
                Training.Trajectory trajectory = Training.train(
                        matrix("inputs", in.required("inputs")), labels(in, params),
                        matrix("weights1", in.required("weights1")),
                        vector("biases1", in.required("biases1")),
                        matrix("weights2", in.required("weights2")),
                        vector("biases2", in.required("biases2")),
                        count("steps", in.required("steps")),
                        params.required("optimizer").asText(),
                        new Training.Hyperparameters(scalar(in, "learning_rate"),
                                scalar(in, "decay"), scalar(in, "momentum"),
                                scalar(in, "epsilon"), scalar(in, "rho"),
                                scalar(in, "beta_1"), scalar(in, "beta_2")));
                out.set("loss", json(trajectory.loss()));
                out.set("accuracy", json(trajectory.accuracy()));
                out.set("learning_rate", json(trajectory.learningRate()));
                out.set("weights1", json(trajectory.weights1()));
                out.set("biases1", json(trajectory.biases1()));
                out.set("weights2", json(trajectory.weights2()));
                out.set("biases2", json(trajectory.biases2()));
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    static void putActivation(ObjectNode out, Training.Activation activation) {
        out.set("output", json(activation.output()));
        out.set("dinputs", json(activation.dinputs()));
    }

    static void putLossGradient(ObjectNode out, Training.LossGradient loss) {
        out.set("sample_losses", json(loss.sampleLosses()));
        out.set("loss", json(loss.loss()));
        out.set("dinputs", json(loss.dinputs()));
    }

    /** An optimizer step's outputs: the parameters, the state it keeps, the rate, the count. */
    static void putStep(ObjectNode out, Training.Step step) {
        putLayer(out, step.params(), "weights", "biases");
        if (step.momentums() != null) {
            putLayer(out, step.momentums(), "weight_momentums", "bias_momentums");
        }
        if (step.cache() != null) {
            putLayer(out, step.cache(), "weight_cache", "bias_cache");
        }
        out.set("learning_rate", json(step.learningRate()));
        out.put("iterations", step.iterations());
    }

    static void putLayer(ObjectNode out, Training.Params layer, String weights, String biases) {
        out.set(weights, json(layer.weights()));
        out.set(biases, json(layer.biases()));
    }

    static void putLoss(ObjectNode out, Nnfs.Loss loss) {
        out.set("sample_losses", json(loss.sampleLosses()));
        out.set("loss", json(loss.loss()));
    }

    static void putAccuracy(ObjectNode out, Nnfs.Accuracy accuracy) {
        ArrayNode predictions = out.putArray("predictions");
        for (int p : accuracy.predictions()) {
            predictions.add(p);
        }
        out.set("accuracy", json(accuracy.accuracy()));
    }

    /** y_true as class indices or one-hot rows; without a label_format the rank decides. */
    static Nnfs.Labels labels(JsonNode in, JsonNode params) {
        JsonNode yTrue = in.required("y_true");
        String format = params.path("label_format").asText(hasRows(yTrue) ? "onehot" : "sparse");
        return switch (format) {
            case "sparse" -> new Nnfs.Labels.Sparse(vector("y_true", yTrue));
            case "onehot" -> new Nnfs.Labels.OneHot(matrix("y_true", yTrue));
            default -> throw new IllegalArgumentException("unknown label_format '" + format + "'");
        };
    }

    // -----------------------------------------------------------------------------------------
    // Reading inputs: JSON numbers (or "NaN", "Infinity", "-Infinity") into arrays of doubles.
    // What does not have the shape a stage takes throws StageError.

    static boolean hasRows(JsonNode node) {
        for (JsonNode element : node) {
            if (element.isArray()) {
                return true;
            }
        }
        return false;
    }

    /** One number. Jackson reads it as the nearest double (5e-324, 2^53 + 1, -0.0). */
    static double number(String name, JsonNode node) {
        if (node.isNumber()) {
            return node.doubleValue();
        }
        return switch (node.asText()) { // JSON has no NaN or infinities: the protocol's strings
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> throw new StageError("shape_mismatch", name + " must be a single number");
        };
    }

    /** The scalar input called name. */
    static double scalar(JsonNode in, String name) {
        return number(name, in.required(name));
    }

    /** A layer's weights (K, N) and biases (N), or the gradients or state shaped like them. */
    static Training.Params layer(JsonNode in, String weights, String biases) {
        return new Training.Params(matrix(weights, in.required(weights)),
                vector(biases, in.required(biases)));
    }

    /** An iteration or step count: a JSON number without a fraction, else invalid_value. */
    static long count(String name, JsonNode node) {
        if (node.isNumber() && node.canConvertToExactIntegral() && node.canConvertToLong()) {
            return node.asLong();
        }
        throw new StageError("invalid_value", name + " must be an integer, is " + node);
    }

    /**
     * A matrix of 0s and 1s (a dropout mask, binary targets). true and false are refused as
     * `kind`, like any other value that is not 0 or 1 (which the stage checks).
     */
    static double[][] zerosAndOnes(String name, JsonNode node, String kind) {
        for (JsonNode row : node) {
            for (JsonNode value : row) {
                if (value.isBoolean()) {
                    throw new StageError(kind, name + " holds " + value + ", not 0 or 1");
                }
            }
        }
        return matrix(name, node);
    }

    /** A rank-1 input: a list of numbers. */
    static double[] vector(String name, JsonNode node) {
        if (!node.isArray()) {
            throw new StageError("shape_mismatch", name + " must be a list of numbers (rank 1)");
        }
        double[] values = new double[node.size()];
        for (int i = 0; i < values.length; i++) {
            if (node.get(i).isArray()) {
                throw new StageError("shape_mismatch", name + " must be a list of numbers "
                        + "(rank 1), " + name + "[" + i + "] is a list");
            }
            values[i] = number(name + "[" + i + "]", node.get(i));
        }
        return values;
    }

    /** A rank-2 input: a list of rows of numbers, all of the same length. */
    static double[][] matrix(String name, JsonNode node) {
        if (!node.isArray()) {
            throw new StageError("shape_mismatch", name + " must be a list of rows (rank 2)");
        }
        int rows = 0;
        for (JsonNode element : node) {
            rows += element.isArray() ? 1 : 0;
        }
        if (node.size() > 0 && rows == 0) {
            throw new StageError("shape_mismatch", name + " must be a list of rows (rank 2), got a"
                    + " list of " + node.size() + " numbers");
        }
        if (rows != node.size()) {
            throw new StageError("ragged_rows", name + " mixes rows and single numbers");
        }
        double[][] values = new double[rows][];
        for (int i = 0; i < rows; i++) {
            values[i] = vector(name + "[" + i + "]", node.get(i));
            if (values[i].length != values[0].length) {
                throw new StageError("ragged_rows", name + "[0] has " + values[0].length
                        + " values, " + name + "[" + i + "] has " + values[i].length);
            }
        }
        return values;
    }

    // -----------------------------------------------------------------------------------------
    // Writing outputs: non-finite numbers become the protocol's strings.

    static JsonNode json(double x) {
        if (Double.isNaN(x)) {
            return TextNode.valueOf("NaN");
        }
        if (Double.isInfinite(x)) {
            return TextNode.valueOf(x > 0 ? "Infinity" : "-Infinity");
        }
        return DoubleNode.valueOf(x);
    }

    static ArrayNode json(double[] values) {
        ArrayNode array = JSON.createArrayNode();
        for (double x : values) {
            array.add(json(x));
        }
        return array;
    }

    static ArrayNode json(double[][] rows) {
        ArrayNode array = JSON.createArrayNode();
        for (double[] row : rows) {
            array.add(json(row));
        }
        return array;
    }

    static ArrayNode json(double[][][] matrices) {
        ArrayNode array = JSON.createArrayNode();
        for (double[][] matrix : matrices) {
            array.add(json(matrix));
        }
        return array;
    }
}
