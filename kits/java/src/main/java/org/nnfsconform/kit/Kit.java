package org.nnfsconform.kit;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nnfsconform.kit.Types.Accuracy;
import org.nnfsconform.kit.Types.Activation;
import org.nnfsconform.kit.Types.Dataset;
import org.nnfsconform.kit.Types.DenseGradients;
import org.nnfsconform.kit.Types.Hyperparameters;
import org.nnfsconform.kit.Types.LayerShape;
import org.nnfsconform.kit.Types.Loss;
import org.nnfsconform.kit.Types.LossGradient;
import org.nnfsconform.kit.Types.Params;
import org.nnfsconform.kit.Types.Printed;
import org.nnfsconform.kit.Types.RngCall;
import org.nnfsconform.kit.Types.Step;
import org.nnfsconform.kit.Types.Trajectory;

/**
 * The nnfs-conformance kit: a port is the learner's stage functions plus one line each here.
 * <pre>{@code
 * public static void main(String[] args) {
 *     Kit.port("my-port", "float64")
 *             .neuron(Network::neuron)
 *             .denseBatch(Network::denseBatch)
 *             .serve();
 * }
 * }</pre>
 * The kit speaks protocol 1 (JSON Lines on stdin and stdout, docs/PROTOCOL.md), declares
 * exactly the stages given, checks every input (docs/STAGES.md) before calling them, and
 * answers a learner's exception as the kind "exception" with its message, {@link Unsupported}
 * as "unsupported", and an output of the wrong shape as "exception" naming it.
 */
public final class Kit {
    /** One stage's call: reads the checked inputs, calls the learner, names the outputs. */
    private interface Call {
        void call(Spec.Checked in, Map<String, Object> out) throws Exception;
    }

    private final String name;
    private final String dtype;
    private String version;
    private List<String> labelFormats = List.of("sparse", "onehot");
    private final Map<String, Call> calls = new HashMap<>();

    private Kit(String name, String dtype) {
        this.name = name;
        this.dtype = dtype;
    }

    /** A port called name (free text shown in reports) computing in dtype ("float64"). */
    public static Kit port(String name, String dtype) {
        if (!dtype.equals("float64")) {
            throw new IllegalArgumentException("the Java kit serves float64 ports, not " + dtype
                    + ": the stages take double[] arrays");
        }
        guardStdout();
        return new Kit(name, dtype);
    }

    /** The port's version, shown in reports (optional). */
    public Kit version(String version) {
        this.version = version;
        return this;
    }

    /** The label formats the learner's losses accept: "sparse", "onehot" (default: both). */
    public Kit labelFormats(String... formats) {
        this.labelFormats = List.of(formats);
        return this;
    }

    private Kit on(String stage, Call call) {
        calls.put(stage, call);
        return this;
    }

    // -----------------------------------------------------------------------------------------
    // The stages: one method each, in docs/STAGES.md's order (signatures in Stages).

    public Kit neuron(Stages.Neuron f) {
        return on("neuron", (in, out) -> out.put("output",
                f.neuron(in.vector("inputs"), in.vector("weights"), in.scalar("bias"))));
    }

    public Kit layer(Stages.Layer f) {
        return on("layer", (in, out) -> out.put("output",
                f.layer(in.vector("inputs"), in.matrix("weights"), in.vector("biases"))));
    }

    public Kit denseBatch(Stages.DenseBatch f) {
        return on("dense_batch", (in, out) -> out.put("output",
                f.denseBatch(in.matrix("inputs"), in.matrix("weights"), in.vector("biases"))));
    }

    public Kit relu(Stages.Relu f) {
        return on("relu", (in, out) -> out.put("output", f.relu(in.matrix("inputs"))));
    }

    public Kit denseRelu(Stages.DenseRelu f) {
        return on("dense_relu", (in, out) -> {
            Types.DenseRelu r = returned(f.denseRelu(in.matrix("inputs"), in.matrix("weights"),
                    in.vector("biases")));
            out.put("dense", r.dense());
            out.put("relu", r.relu());
        });
    }

    public Kit softmax(Stages.Softmax f) {
        return on("softmax", (in, out) -> out.put("output", f.softmax(in.matrix("inputs"))));
    }

    public Kit denseReluDenseSoftmax(Stages.DenseReluDenseSoftmax f) {
        return on("dense_relu_dense_softmax", (in, out) -> {
            Types.DenseReluDenseSoftmax r = returned(f.denseReluDenseSoftmax(
                    in.matrix("inputs"), in.matrix("weights1"), in.vector("biases1"),
                    in.matrix("weights2"), in.vector("biases2")));
            out.put("dense1", r.dense1());
            out.put("relu1", r.relu1());
            out.put("dense2", r.dense2());
            out.put("softmax", r.softmax());
        });
    }

    public Kit categoricalCrossentropy(Stages.CategoricalCrossentropy f) {
        return on("categorical_crossentropy", (in, out) -> put(out, returned(
                f.categoricalCrossentropy(in.matrix("y_pred"), in.labels("y_true")))));
    }

    public Kit accuracy(Stages.Accuracy f) {
        return on("accuracy", (in, out) -> put(out, returned(
                f.accuracy(in.matrix("y_pred"), in.labels("y_true")))));
    }

    public Kit forward(Stages.Forward f) {
        return on("forward", (in, out) -> {
            Types.Forward forward = returned(f.forward(in.matrix("inputs"),
                    in.matrix("weights1"), in.vector("biases1"), in.matrix("weights2"),
                    in.vector("biases2"), in.labels("y_true")));
            out.put("dense1", forward.dense1());
            out.put("relu1", forward.relu1());
            out.put("dense2", forward.dense2());
            out.put("softmax", forward.softmax());
            put(out, returned(forward.loss()));
            put(out, returned(forward.accuracy()));
        });
    }

    public Kit denseBackward(Stages.DenseBackward f) {
        return on("dense_backward", (in, out) -> {
            DenseGradients gradients = returned(f.denseBackward(in.matrix("inputs"),
                    in.matrix("weights"), in.matrix("dvalues")));
            out.put("dweights", gradients.dweights());
            out.put("dbiases", gradients.dbiases());
            out.put("dinputs", gradients.dinputs());
        });
    }

    public Kit reluBackward(Stages.ReluBackward f) {
        return on("relu_backward", (in, out) -> out.put("dinputs",
                f.reluBackward(in.matrix("inputs"), in.matrix("dvalues"))));
    }

    public Kit repeatedForward(Stages.RepeatedForward f) {
        return on("repeated_forward", (in, out) -> {
            Types.RepeatedForward r = returned(f.repeatedForward(in.matrix("inputs1"),
                    in.matrix("inputs2"), in.matrix("weights"), in.vector("biases"),
                    in.matrix("dvalues")));
            out.put("output1", r.output1());
            out.put("output2", r.output2());
            out.put("dweights", r.dweights());
            out.put("dbiases", r.dbiases());
            out.put("dinputs", r.dinputs());
        });
    }

    public Kit softmaxBackward(Stages.SoftmaxBackward f) {
        return on("softmax_backward", (in, out) -> out.put("dinputs",
                f.softmaxBackward(in.matrix("output"), in.matrix("dvalues"))));
    }

    public Kit categoricalCrossentropyBackward(Stages.CategoricalCrossentropyBackward f) {
        return on("categorical_crossentropy_backward", (in, out) -> out.put("dinputs",
                f.categoricalCrossentropyBackward(in.matrix("y_pred"), in.labels("y_true"))));
    }

    public Kit softmaxCrossentropyBackward(Stages.SoftmaxCrossentropyBackward f) {
        return on("softmax_crossentropy_backward", (in, out) -> out.put("dinputs",
                f.softmaxCrossentropyBackward(in.matrix("y_pred"), in.labels("y_true"),
                        in.param("path"))));
    }

    public Kit regularization(Stages.Regularization f) {
        return on("regularization", (in, out) -> {
            Types.Regularization r = returned(f.regularization(in.matrix("weights"),
                    in.vector("biases"), in.scalar("weight_regularizer_l1"),
                    in.scalar("weight_regularizer_l2"), in.scalar("bias_regularizer_l1"),
                    in.scalar("bias_regularizer_l2")));
            out.put("loss", r.loss());
            out.put("dweights", r.dweights());
            out.put("dbiases", r.dbiases());
        });
    }

    public Kit dropout(Stages.Dropout f) {
        return on("dropout", (in, out) -> put(out, returned(f.dropout(in.matrix("inputs"),
                in.matrix("mask"), in.scalar("rate"), in.matrix("dvalues")))));
    }

    public Kit sigmoid(Stages.Sigmoid f) {
        return on("sigmoid", (in, out) -> put(out, returned(
                f.sigmoid(in.matrix("inputs"), in.matrix("dvalues")))));
    }

    public Kit binaryCrossentropy(Stages.LossWithGradient f) {
        return lossWithGradient("binary_crossentropy", f);
    }

    public Kit binaryAccuracy(Stages.BinaryAccuracy f) {
        return on("binary_accuracy", (in, out) -> {
            Types.BinaryAccuracy r = returned(f.binaryAccuracy(in.matrix("y_pred"),
                    in.matrix("y_true")));
            out.put("predictions", r.predictions());
            out.put("accuracy", r.accuracy());
        });
    }

    public Kit linear(Stages.Linear f) {
        return on("linear", (in, out) -> put(out, returned(
                f.linear(in.matrix("inputs"), in.matrix("dvalues")))));
    }

    public Kit meanSquaredError(Stages.LossWithGradient f) {
        return lossWithGradient("mean_squared_error", f);
    }

    public Kit meanAbsoluteError(Stages.LossWithGradient f) {
        return lossWithGradient("mean_absolute_error", f);
    }

    public Kit regressionAccuracy(Stages.RegressionAccuracy f) {
        return on("regression_accuracy", (in, out) -> out.put("accuracy", f.regressionAccuracy(
                in.matrix("y_pred"), in.matrix("y_true"), in.scalar("precision"))));
    }

    private Kit lossWithGradient(String stage, Stages.LossWithGradient f) {
        return on(stage, (in, out) -> {
            LossGradient loss = returned(f.loss(in.matrix("y_pred"), in.matrix("y_true")));
            out.put("sample_losses", loss.sampleLosses());
            out.put("loss", loss.loss());
            out.put("dinputs", loss.dinputs());
        });
    }

    public Kit sgdStep(Stages.SgdStep f) {
        return on("sgd_step", (in, out) -> put(out, returned(f.sgdStep(
                layer(in, "weights", "biases"), layer(in, "dweights", "dbiases"),
                layer(in, "weight_momentums", "bias_momentums"), in.count("iterations"),
                in.scalar("learning_rate"), in.scalar("decay"), in.scalar("momentum")))));
    }

    public Kit adagradStep(Stages.AdagradStep f) {
        return on("adagrad_step", (in, out) -> put(out, returned(f.adagradStep(
                layer(in, "weights", "biases"), layer(in, "dweights", "dbiases"),
                layer(in, "weight_cache", "bias_cache"), in.count("iterations"),
                in.scalar("learning_rate"), in.scalar("decay"), in.scalar("epsilon")))));
    }

    public Kit rmspropStep(Stages.RmspropStep f) {
        return on("rmsprop_step", (in, out) -> put(out, returned(f.rmspropStep(
                layer(in, "weights", "biases"), layer(in, "dweights", "dbiases"),
                layer(in, "weight_cache", "bias_cache"), in.count("iterations"),
                in.scalar("learning_rate"), in.scalar("decay"), in.scalar("epsilon"),
                in.scalar("rho")))));
    }

    public Kit adamStep(Stages.AdamStep f) {
        return on("adam_step", (in, out) -> put(out, returned(f.adamStep(
                layer(in, "weights", "biases"), layer(in, "dweights", "dbiases"),
                layer(in, "weight_momentums", "bias_momentums"),
                layer(in, "weight_cache", "bias_cache"), in.count("iterations"),
                in.scalar("learning_rate"), in.scalar("decay"), in.scalar("epsilon"),
                in.scalar("beta_1"), in.scalar("beta_2")))));
    }

    public Kit sharedOptimizer(Stages.SharedOptimizer f) {
        return on("shared_optimizer", (in, out) -> {
            Types.Layers layers = returned(f.sharedOptimizer(layer(in, "weights1", "biases1"),
                    layer(in, "weights2", "biases2"), layer(in, "dweights1", "dbiases1"),
                    layer(in, "dweights2", "dbiases2"), (int) in.count("steps"),
                    in.scalar("learning_rate"), in.scalar("decay"), in.scalar("epsilon"),
                    in.scalar("beta_1"), in.scalar("beta_2")));
            put(out, layers.layer1(), "weights1", "biases1");
            put(out, layers.layer2(), "weights2", "biases2");
        });
    }

    public Kit training(Stages.Training f) {
        return on("training", (in, out) -> {
            Trajectory t = returned(f.train(in.matrix("inputs"), in.labels("y_true"),
                    in.matrix("weights1"), in.vector("biases1"), in.matrix("weights2"),
                    in.vector("biases2"), (int) in.count("steps"), in.param("optimizer"),
                    hyperparameters(in)));
            out.put("loss", t.loss());
            out.put("accuracy", t.accuracy());
            out.put("learning_rate", t.learningRate());
            out.put("weights1", t.weights1());
            out.put("biases1", t.biases1());
            out.put("weights2", t.weights2());
            out.put("biases2", t.biases2());
        });
    }

    // The Model (chapters 18-22)

    public Kit modelTraining(Stages.ModelTraining f) {
        return on("model_training", (in, out) -> {
            Types.ModelTrajectory t = returned(f.modelTraining(in.matrix("inputs"),
                    in.labels("y_true"), in.matrix("validation_inputs"),
                    in.labels("validation_y_true"), in.matrix("weights1"), in.vector("biases1"),
                    in.matrix("weights2"), in.vector("biases2"), (int) in.count("epochs"),
                    (int) in.count("batch_size"), new Types.Regularizers(
                            in.scalar("weight_regularizer_l1"), in.scalar("weight_regularizer_l2"),
                            in.scalar("bias_regularizer_l1"), in.scalar("bias_regularizer_l2")),
                    in.param("optimizer"), hyperparameters(in)));
            out.put("loss", t.loss());
            out.put("data_loss", t.dataLoss());
            out.put("regularization_loss", t.regularizationLoss());
            out.put("accuracy", t.accuracy());
            out.put("learning_rate", t.learningRate());
            out.put("validation_loss", t.validationLoss());
            out.put("validation_accuracy", t.validationAccuracy());
            put(out, t.layer1(), "weights1", "biases1");
            put(out, t.layer2(), "weights2", "biases2");
        });
    }

    public Kit preprocess(Stages.Preprocess f) {
        return on("preprocess", (in, out) -> {
            Types.Preprocessed p = returned(f.preprocess(in.ints3("images"), in.ints("labels"),
                    in.ints("keys")));
            out.put("x", p.x());
            out.put("y", p.y());
        });
    }

    public Kit batches(Stages.Batches f) {
        return on("batches", (in, out) -> {
            Types.Batches b = returned(f.batches(in.matrix("inputs"),
                    (int) in.count("batch_size")));
            out.put("steps", b.steps());
            out.put("batch_sizes", b.batchSizes());
            out.put("first_rows", b.firstRows());
            out.put("last_rows", b.lastRows());
        });
    }

    public Kit predictions(Stages.Predictions f) {
        return on("predictions", (in, out) -> {
            String activation = in.param("activation");
            Types.Predictions p = returned(f.predictions(in.matrix("inputs"), activation));
            String wanted = switch (activation) {
                case "softmax" -> "Classes";
                case "sigmoid" -> "Binary";
                default -> "Values";
            };
            if (!p.getClass().getSimpleName().equals(wanted)) {
                throw new Spec.OutputError("returned Predictions." + p.getClass().getSimpleName()
                        + " for activation " + activation + ", must be Predictions." + wanted);
            }
            out.put("predictions", p instanceof Types.Predictions.Classes c ? c.classes()
                    : p instanceof Types.Predictions.Binary b ? (Object) b.values()
                    : ((Types.Predictions.Values) p).values());
        });
    }

    public Kit evaluate(Stages.Evaluate f) {
        return on("evaluate", (in, out) -> {
            Types.Evaluation e = returned(f.evaluate(in.matrix("y_pred"), in.labels("y_true"),
                    (int) in.count("batch_size")));
            out.put("loss", e.loss());
            out.put("accuracy", e.accuracy());
        });
    }

    public Kit parameters(Stages.Parameters f) {
        return on("parameters", (in, out) -> {
            Types.Loaded loaded = returned(f.parameters(in.matrix("inputs"),
                    layer(in, "weights1", "biases1"), layer(in, "weights2", "biases2")));
            put(out, loaded.layer1(), "weights1", "biases1");
            put(out, loaded.layer2(), "weights2", "biases2");
            out.put("output", loaded.output());
        });
    }

    // The book tier (docs/BOOK.md): integers in, the book's own values out.

    public Kit rng(Stages.Rng f) {
        return on("rng", (in, out) -> {
            int[][] pairs = in.pairs("calls");
            RngCall[] calls = new RngCall[pairs.length];
            for (int i = 0; i < pairs.length; i++) {
                calls[i] = new RngCall(pairs[i][0], pairs[i][1]);
            }
            out.put("values", f.rng(in.integer("seed"), calls));
        });
    }

    public Kit datasets(Stages.Datasets f) {
        return on("datasets", (in, out) -> {
            Dataset d = returned(f.datasets(in.integer("seed"), (int) in.integer("samples"),
                    (int) in.integer("classes"), in.param("dataset")));
            out.put("x", d.x());
            // sine_data's y is a column, (samples, 1), as its x
            boolean sine = in.param("dataset").equals("sine");
            out.put("y", sine && d.y() != null ? column(d.y()) : d.y());
        });
    }

    public Kit init(Stages.Init f) {
        return on("init", (in, out) -> {
            int[][] pairs = in.pairs("shapes");
            LayerShape[] shapes = new LayerShape[pairs.length];
            for (int i = 0; i < pairs.length; i++) {
                shapes[i] = new LayerShape(pairs[i][0], pairs[i][1]);
            }
            out.put("weights", f.init(in.integer("seed"), (int) in.integer("skip"), shapes,
                    in.scalar("scale")));
        });
    }

    public Kit shuffle(Stages.Shuffle f) {
        return on("shuffle", (in, out) -> out.put("keys",
                f.shuffle(in.integer("seed"), (int) in.integer("samples"))));
    }

    public Kit chapters(Stages.Chapters f) {
        return on("chapters", (in, out) -> {
            Printed printed = returned(f.chapters(in.integer("seed"),
                    (int) in.integer("samples"), (int) in.integer("classes"),
                    (int) in.integer("hidden"), (int) in.integer("steps"), in.param("printed"),
                    in.param("optimizer"), in.scalar("learning_rate"), in.scalar("decay"),
                    in.scalar("momentum")));
            out.put("value", printed instanceof Printed.Scalar scalar ? (Object) scalar.value()
                    : ((Printed.Rows) printed).rows());
        });
    }

    private static double[][] column(double[] values) {
        double[][] rows = new double[values.length][];
        for (int i = 0; i < values.length; i++) {
            rows[i] = new double[] {values[i]};
        }
        return rows;
    }

    private static Params layer(Spec.Checked in, String weights, String biases) {
        return new Params(in.matrix(weights), in.vector(biases));
    }

    /** Every optimizer's hyperparameters, as training and model_training send them. */
    private static Hyperparameters hyperparameters(Spec.Checked in) {
        return new Hyperparameters(in.scalar("learning_rate"), in.scalar("decay"),
                in.scalar("momentum"), in.scalar("epsilon"), in.scalar("rho"),
                in.scalar("beta_1"), in.scalar("beta_2"));
    }

    /** A layer's parameters as two outputs; a null layer is an output it did not return. */
    private static void put(Map<String, Object> out, Params layer, String weights,
                            String biases) {
        if (layer != null) {
            out.put(weights, layer.weights());
            out.put(biases, layer.biases());
        }
    }

    private static <T> T returned(T value) {
        if (value == null) {
            throw new Spec.OutputError("returned null");
        }
        return value;
    }

    private static void put(Map<String, Object> out, Loss loss) {
        out.put("sample_losses", loss.sampleLosses());
        out.put("loss", loss.loss());
    }

    private static void put(Map<String, Object> out, Accuracy accuracy) {
        out.put("predictions", accuracy.predictions());
        out.put("accuracy", accuracy.accuracy());
    }

    private static void put(Map<String, Object> out, Activation activation) {
        out.put("output", activation.output());
        out.put("dinputs", activation.dinputs());
    }

    /** An optimizer step's outputs; the state the optimizer keeps none of stays null. */
    private static void put(Map<String, Object> out, Step step) {
        Params params = returned(step.params());
        out.put("weights", params.weights());
        out.put("biases", params.biases());
        if (step.momentums() != null) {
            out.put("weight_momentums", step.momentums().weights());
            out.put("bias_momentums", step.momentums().biases());
        }
        if (step.cache() != null) {
            out.put("weight_cache", step.cache().weights());
            out.put("bias_cache", step.cache().biases());
        }
        out.put("learning_rate", step.learningRate());
        out.put("iterations", step.iterations());
    }

    // -----------------------------------------------------------------------------------------
    // The protocol

    /**
     * Answers the runner until bye or the end of input, then exits with status 0; a request it
     * cannot understand exits with status 1 after one line on stderr. Never returns.
     */
    public void serve() {
        guardStdout();
        BufferedReader in = new BufferedReader(new InputStreamReader(REAL_STDIN,
                StandardCharsets.UTF_8), 1 << 16);
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out),
                1 << 16);
        int status;
        try {
            status = serve(in, out, System.err);
        } catch (IOException e) {
            System.err.println("nnfs-kit: " + e);
            status = 1;
        }
        System.exit(status);
    }

    private static final java.io.InputStream REAL_STDIN = System.in;

    /**
     * The learner's prints go to stderr, its reads of stdin find nothing: replies are written
     * to file descriptor 1 directly, so a debug print can never corrupt one.
     */
    private static void guardStdout() {
        System.setOut(System.err);
        System.setIn(new ByteArrayInputStream(new byte[0]));
    }

    /** The loop, on given streams: 0 at bye or end of input, 1 on a request not understood. */
    int serve(BufferedReader in, OutputStream out, PrintStream err) throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            String reply;
            try {
                reply = answer(line, err);
            } catch (Spec.ProtocolError | Json.Error e) {
                String request = line.length() > 200 ? line.substring(0, 200) + "..." : line;
                err.println("nnfs-kit: " + e.getMessage() + ": " + request);
                err.flush();
                return 1;
            }
            if (reply == null) {
                return 0; // bye
            }
            out.write(reply.getBytes(StandardCharsets.UTF_8));
            out.write('\n');
            out.flush();
        }
        return 0;
    }

    /** The reply line to one request, or null for bye. */
    String answer(String line, PrintStream err) {
        Object message;
        try {
            message = Json.parse(line);
        } catch (Json.Error e) {
            throw new Spec.ProtocolError("the request is not JSON (" + e.getMessage() + ")");
        }
        if (!(message instanceof Map<?, ?> request)) {
            throw new Spec.ProtocolError("the request is not a JSON object");
        }
        Object cmd = request.get("cmd");
        if ("hello".equals(cmd)) {
            return Json.write(hello());
        }
        if ("bye".equals(cmd)) {
            return null;
        }
        if ("run".equals(cmd)) {
            return Json.write(run(request, err));
        }
        throw new Spec.ProtocolError("unknown cmd " + Json.write(cmd == null ? Json.NULL : cmd));
    }

    Map<String, Object> hello() {
        Map<String, Object> hello = new LinkedHashMap<>();
        hello.put("protocol", 1);
        hello.put("name", name);
        hello.put("language", "java");
        hello.put("dtype", dtype);
        List<Object> stages = new ArrayList<>();
        for (String stage : Spec.STAGES.keySet()) {
            if (calls.containsKey(stage)) {
                stages.add(stage);
            }
        }
        hello.put("stages", stages);
        hello.put("label_formats", new ArrayList<Object>(labelFormats));
        hello.put("checks_inputs", true);
        if (version != null) {
            hello.put("version", version);
        }
        return hello;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> run(Map<?, ?> request, PrintStream err) {
        Object seq = request.get("seq");
        if (!(seq instanceof Double s) || s != Math.rint(s) || Double.isInfinite(s)) {
            throw new Spec.ProtocolError("a run request without an integer seq");
        }
        Object stage = request.get("stage");
        Call call = calls.get(stage);
        if (call == null) {
            throw new Spec.ProtocolError("a run for stage " + Json.write(
                    stage == null ? Json.NULL : stage) + ", which this port does not declare");
        }
        Object inputs = request.get("inputs");
        Object params = request.containsKey("params") ? request.get("params") : Map.of();
        if (!(inputs instanceof Map) || !(params instanceof Map)) {
            throw new Spec.ProtocolError("a run request whose inputs or params is not an object");
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("seq", (long) (double) s);
        Spec spec = Spec.STAGES.get(stage);
        Spec.Checked in;
        try {
            in = spec.check((Map<String, Object>) inputs, (Map<String, Object>) params,
                    labelFormats);
        } catch (Spec.StageError e) {
            reply.put("error", error(e.kind, e.getMessage()));
            return reply;
        } catch (Unsupported e) {
            reply.put("unsupported", e.getMessage());
            return reply;
        }
        try {
            Map<String, Object> outputs = new HashMap<>();
            call.call(in, outputs);
            reply.put("outputs", spec.outputs(in, outputs));
        } catch (Spec.OutputError e) {
            reply.put("error", error("exception", stage + " " + e.getMessage()));
        } catch (Unsupported e) {
            reply.put("unsupported", String.valueOf(e.getMessage()));
        } catch (Throwable e) { // the learner's own: its message, and where, on stderr
            String message = e.getMessage() != null && !e.getMessage().isBlank()
                    ? e.getMessage() : e.getClass().getName();
            reply.put("error", error("exception", message));
            err.println("nnfs-kit: " + stage + " threw " + e + where(e));
            err.flush();
        }
        return reply;
    }

    private static Map<String, Object> error(String kind, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("kind", kind);
        error.put("message", message);
        return error;
    }

    /** " at File.java:42 in method": the first frame outside the JDK and this kit. */
    private static String where(Throwable e) {
        for (StackTraceElement frame : e.getStackTrace()) {
            String cls = frame.getClassName();
            if (!cls.startsWith("java.") && !cls.startsWith("jdk.") && !cls.startsWith("sun.")
                    && !cls.startsWith(Kit.class.getPackageName() + ".")) {
                return " at " + frame.getFileName() + ":" + frame.getLineNumber() + " in "
                        + frame.getMethodName();
            }
        }
        return "";
    }
}
