package org.nnfsconform.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.nnfsconform.kit.Types.Accuracy;
import org.nnfsconform.kit.Types.Dataset;
import org.nnfsconform.kit.Types.Labels;
import org.nnfsconform.kit.Types.Params;
import org.nnfsconform.kit.Types.Predictions;
import org.nnfsconform.kit.Types.Printed;

class KitTest {
    /** What a session gave: the reply lines, the exit status and stderr. */
    record Session(String stdout, int status, String stderr) {}

    static Session session(Kit kit, String... requests) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = kit.serve(new BufferedReader(new StringReader(String.join("\n", requests))),
                out, new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Session(out.toString(StandardCharsets.UTF_8), status,
                err.toString(StandardCharsets.UTF_8));
    }

    static String run(String stage, String inputs, String params) {
        return "{\"cmd\":\"run\",\"seq\":7,\"stage\":\"" + stage + "\",\"inputs\":" + inputs
                + ",\"params\":" + params + "}";
    }

    static double[][] never(double[][] inputs) {
        throw new AssertionError("the learner was called with invalid inputs");
    }

    static double[][] dense(double[][] inputs, double[][] weights, double[] biases) {
        double[][] output = new double[inputs.length][biases.length];
        for (int b = 0; b < inputs.length; b++) {
            for (int n = 0; n < biases.length; n++) {
                output[b][n] = biases[n];
                for (int k = 0; k < weights.length; k++) {
                    output[b][n] += inputs[b][k] * weights[k][n];
                }
            }
        }
        return output;
    }

    @Test
    void helloDeclaresExactlyTheStagesGivenInPipelineOrder() throws IOException {
        Kit kit = Kit.port("my-port", "float64").softmax(KitTest::never).neuron((x, w, b) -> b);
        assertEquals("{\"protocol\":1,\"name\":\"my-port\",\"language\":\"java\","
                + "\"dtype\":\"float64\",\"stages\":[\"neuron\",\"softmax\"],"
                + "\"label_formats\":[\"sparse\",\"onehot\"],\"checks_inputs\":true}\n",
                session(kit, "{\"cmd\":\"hello\",\"protocol\":1}").stdout());
    }

    @Test
    void anEmptyBatchIsEmptyBatchBeforeItsRankIsChecked() throws IOException {
        Kit kit = Kit.port("p", "float64").softmax(KitTest::never);
        assertEquals("{\"seq\":7,\"error\":{\"kind\":\"empty_batch\",\"message\":"
                + "\"inputs has no samples\"}}\n",
                session(kit, run("softmax", "{\"inputs\":[]}", "{}")).stdout());
    }

    @Test
    void invalidInputsGetTheirKindWithoutCallingTheLearner() throws IOException {
        Kit kit = Kit.port("p", "float64").softmax(KitTest::never).relu(KitTest::never)
                .accuracy((yPred, yTrue) -> {
                    throw new AssertionError("called");
                })
                .sgdStep((p, g, m, i, lr, d, mu) -> {
                    throw new AssertionError("called");
                });
        String yPred = "\"y_pred\":[[0.5,0.5],[0.25,0.75]]";
        String[][] cases = {
            {run("softmax", "{\"inputs\":[[1,2],[3]]}", "{}"), "ragged_rows"},
            {run("softmax", "{\"inputs\":[1,2]}", "{}"), "shape_mismatch"},
            {run("relu", "{\"inputs\":[[[1]]]}", "{}"), "shape_mismatch"},
            {run("accuracy", "{" + yPred + ",\"y_true\":[0,2]}", "{\"label_format\":\"sparse\"}"),
                "label_out_of_range"},
            {run("accuracy", "{" + yPred + ",\"y_true\":[0,0.5]}", "{\"label_format\":\"sparse\"}"),
                "invalid_label"},
            {run("accuracy", "{" + yPred + ",\"y_true\":[[1,0],[1,1]]}",
                "{\"label_format\":\"onehot\"}"), "invalid_label"},
            {run("accuracy", "{" + yPred + ",\"y_true\":[[1,0],[0,1]]}",
                "{\"label_format\":\"sparse\"}"), "shape_mismatch"},
            {run("sgd_step", "{\"weights\":[[1]],\"biases\":[1],\"dweights\":[[1]],\"dbiases\":[1],"
                + "\"weight_momentums\":[[0]],\"bias_momentums\":[0],\"iterations\":1.5,"
                + "\"learning_rate\":1,\"decay\":0,\"momentum\":0}", "{}"), "invalid_value"},
        };
        for (String[] c : cases) {
            String reply = session(kit, c[0]).stdout();
            assertTrue(reply.startsWith("{\"seq\":7,\"error\":{\"kind\":\"" + c[1] + "\""),
                    c[0] + " -> " + reply);
        }
    }

    @Test
    void perNeuronWeightsReachTheLearnerTransposedAsLayerDenseKeepsThem() throws IOException {
        Kit kit = Kit.port("p", "float64").denseBatch(KitTest::dense);
        String inputs = "{\"inputs\":[[1,2,3]],\"weights\":[[1,0,0],[0,0,1]],\"biases\":[0,10]}";
        assertEquals("{\"seq\":7,\"outputs\":{\"output\":[[1.0,13.0]]}}\n", session(kit,
                run("dense_batch", inputs, "{\"weights_layout\":\"neurons_inputs\"}")).stdout());
    }

    @Test
    void aRankOneReluInputIsOneRowForTheLearnerAndComesBackRankOne() throws IOException {
        Kit kit = Kit.port("p", "float64").relu(rows -> rows);
        assertEquals("{\"seq\":7,\"outputs\":{\"output\":[-1.0,\"Infinity\"]}}\n", session(kit,
                run("relu", "{\"inputs\":[-1,\"Infinity\"]}", "{}")).stdout());
    }

    @Test
    void aLearnersExceptionIsKindExceptionWithItsOwnMessage() throws IOException {
        Kit kit = Kit.port("p", "float64").softmax(rows -> {
            throw new IllegalStateException("exp overflowed");
        });
        Session s = session(kit, run("softmax", "{\"inputs\":[[1]]}", "{}"),
                run("softmax", "{\"inputs\":[[2]]}", "{}"));
        assertEquals(("{\"seq\":7,\"error\":{\"kind\":\"exception\",\"message\":"
                + "\"exp overflowed\"}}\n").repeat(2), s.stdout()); // and the run goes on
        assertTrue(s.stderr().contains("softmax threw java.lang.IllegalStateException"));
    }

    @Test
    void unsupportedDeclinesTheCase() throws IOException {
        Kit kit = Kit.port("p", "float64").softmax(rows -> {
            throw new Unsupported("softmax is not written yet");
        });
        assertEquals("{\"seq\":7,\"unsupported\":\"softmax is not written yet\"}\n",
                session(kit, run("softmax", "{\"inputs\":[[1]]}", "{}")).stdout());
    }

    @Test
    void aWrongShapedOutputIsAnExceptionNamingTheStageAndOutput() throws IOException {
        Kit kit = Kit.port("p", "float64").softmax(rows -> new double[][] {{1, 2}})
                .accuracy((yPred, yTrue) -> new Accuracy(null, 1));
        assertEquals("{\"seq\":7,\"error\":{\"kind\":\"exception\",\"message\":\"softmax "
                + "returned output of shape [1, 2], must be [B, C] = [1, 1]\"}}\n",
                session(kit, run("softmax", "{\"inputs\":[[1]]}", "{}")).stdout());
        assertEquals("{\"seq\":7,\"error\":{\"kind\":\"exception\",\"message\":\"accuracy "
                + "returned no predictions\"}}\n", session(kit, run("accuracy",
                        "{\"y_pred\":[[1]],\"y_true\":[0]}", "{\"label_format\":\"sparse\"}"))
                .stdout());
    }

    @Test
    void labelsComeAsTheFormatSentAndConvertToTheOther() throws IOException {
        Labels[] got = new Labels[1];
        Kit kit = Kit.port("p", "float64").accuracy((yPred, yTrue) -> {
            got[0] = yTrue;
            return new Accuracy(new int[] {0, 1}, 1);
        });
        session(kit, run("accuracy", "{\"y_pred\":[[1,0],[0,1]],\"y_true\":[[1,0],[0,1]]}",
                "{\"label_format\":\"onehot\"}"));
        assertEquals(Labels.OneHot.class, got[0].getClass());
        assertEquals("[0, 1]", java.util.Arrays.toString(got[0].classes()));
    }

    @Test
    void aRequestItCannotUnderstandIsOneStderrLineAndStatusOne() throws IOException {
        Kit kit = Kit.port("p", "float64").softmax(rows -> rows);
        for (String bad : new String[] {"loss 1.09", "{\"cmd\":\"run\",\"seq\":7,\"sta",
            "[1]", "{\"cmd\":\"dance\"}", "{\"cmd\":\"run\",\"stage\":\"softmax\"}",
            run("relu", "{\"inputs\":[1]}", "{}")}) {
            Session s = session(kit, bad, "{\"cmd\":\"hello\"}");
            assertEquals("", s.stdout(), bad);
            assertEquals(1, s.status(), bad);
            assertEquals(1, s.stderr().lines().count(), s.stderr());
        }
    }

    static String chaptersRun(String printed) {
        return run("chapters", "{\"seed\":0,\"samples\":100,\"classes\":3,\"hidden\":4,"
                + "\"steps\":0}", "{\"printed\":\"" + printed + "\",\"optimizer\":\"sgd\","
                + "\"learning_rate\":1,\"decay\":0,\"momentum\":0}");
    }

    @Test
    void theBookStagesAreDeclaredOnlyWhenGivenAfterTheCoreOnes() throws IOException {
        Kit kit = Kit.port("p", "float64").chapters((s, n, c, h, t, p, o, lr, d, m) -> null)
                .shuffle((seed, samples) -> null).neuron((x, w, b) -> b)
                .rng((seed, calls) -> new double[0]);
        assertTrue(session(kit, "{\"cmd\":\"hello\",\"protocol\":1}").stdout()
                .contains("\"stages\":[\"neuron\",\"rng\",\"shuffle\",\"chapters\"]"));
    }

    @Test
    void shuffleReturnsOneIntegerKeyPerSample() throws IOException {
        Kit kit = Kit.port("p", "float64").shuffle((seed, samples) ->
                samples == 3 ? new int[] {2, 0, 1} : new int[samples + 1]);
        assertEquals("{\"seq\":7,\"outputs\":{\"keys\":[2,0,1]}}\n", session(kit,
                run("shuffle", "{\"seed\":0,\"samples\":3}", "{}")).stdout());
        assertEquals("{\"seq\":7,\"error\":{\"kind\":\"exception\",\"message\":\"shuffle "
                + "returned keys of shape [3], must be [N] = [2]\"}}\n",
                session(kit, run("shuffle", "{\"seed\":0,\"samples\":2}", "{}")).stdout());
    }

    @Test
    void rngGetsItsCallsAndReturnsOneValuePerDraw() throws IOException {
        Kit kit = Kit.port("p", "float64").rng((seed, calls) -> {
            assertEquals(4294967295L, seed);
            assertEquals(new Types.RngCall(2, 3), calls[calls.length - 1]);
            return new double[] {2357136044.0, 0.5, 1, 2, 3};
        });
        assertEquals("{\"seq\":7,\"outputs\":{\"values\":[2.357136044E9,0.5,1.0,2.0,3.0]}}\n",
                session(kit, run("rng", "{\"seed\":4294967295,\"calls\":[[0,2],[2,3]]}", "{}"))
                        .stdout());
        assertEquals("{\"seq\":7,\"error\":{\"kind\":\"exception\",\"message\":\"rng "
                + "returned values of shape [5], must be [V] = [3]\"}}\n",
                session(kit, run("rng", "{\"seed\":4294967295,\"calls\":[[2,3]]}", "{}"))
                        .stdout());
    }

    @Test
    void bookInputsThatAreNotNonNegativeIntegersAreShapeMismatch() throws IOException {
        Kit kit = Kit.port("p", "float64").rng((seed, calls) -> {
            throw new AssertionError("called");
        }).init((seed, skip, shapes, scale) -> {
            throw new AssertionError("called");
        });
        String[] bad = {
            run("rng", "{\"seed\":-1,\"calls\":[[0,1]]}", "{}"),
            run("rng", "{\"seed\":0.5,\"calls\":[[0,1]]}", "{}"),
            run("rng", "{\"seed\":0,\"calls\":[[3,1]]}", "{}"),
            run("rng", "{\"seed\":0,\"calls\":[[0,1,2]]}", "{}"),
            run("rng", "{\"seed\":0,\"calls\":[]}", "{}"),
            run("init", "{\"seed\":0,\"skip\":0,\"shapes\":[[2,\"3\"]]}", "{\"scale\":0.01}"),
        };
        for (String request : bad) {
            String reply = session(kit, request).stdout();
            assertTrue(reply.startsWith("{\"seq\":7,\"error\":{\"kind\":\"shape_mismatch\""),
                    request + " -> " + reply);
        }
        assertTrue(session(kit, run("rng", "{\"seed\":4294967296,\"calls\":[[0,1]]}", "{}"))
                .stdout().startsWith("{\"seq\":7,\"unsupported\":\"seed is 4294967296"));
    }

    @Test
    void initGetsItsScaleAndShapesAndReturnsEveryWeight() throws IOException {
        Kit kit = Kit.port("p", "float64").init((seed, skip, shapes, scale) -> {
            assertEquals(300, skip);
            assertEquals(new Types.LayerShape(2, 3), shapes[0]);
            return new double[2 * 3 + 3 * 1];
        });
        String reply = session(kit, run("init", "{\"seed\":0,\"skip\":300,"
                + "\"shapes\":[[2,3],[3,1]]}", "{\"scale\":0.01}")).stdout();
        assertTrue(reply.startsWith("{\"seq\":7,\"outputs\":{\"weights\":[0.0,0.0,0.0,"), reply);
    }

    @Test
    void sineDataGoesBackAsRowsOfOneAndTheOtherDatasetsAsLabels() throws IOException {
        Kit kit = Kit.port("p", "float64").datasets((seed, samples, classes, dataset) ->
                dataset.equals("sine")
                        ? new Dataset(new double[][] {{0}, {0.5}}, new double[] {0, 1e-16})
                        : new Dataset(new double[][] {{1, 2}, {3, 4}}, new double[] {0, 1}));
        assertEquals("{\"seq\":7,\"outputs\":{\"x\":[[0.0],[0.5]],\"y\":[[0.0],[1.0E-16]]}}\n",
                session(kit, run("datasets", "{\"seed\":0,\"samples\":2,\"classes\":1}",
                        "{\"dataset\":\"sine\"}")).stdout());
        assertEquals("{\"seq\":7,\"outputs\":{\"x\":[[1.0,2.0],[3.0,4.0]],\"y\":[0.0,1.0]}}\n",
                session(kit, run("datasets", "{\"seed\":0,\"samples\":1,\"classes\":2}",
                        "{\"dataset\":\"spiral\"}")).stdout());
    }

    @Test
    void chaptersValueIsANumberOrRowsShapedByWhatIsPrinted() throws IOException {
        Kit kit = Kit.port("p", "float64").chapters((s, n, c, h, t, printed, o, lr, d, m) ->
                switch (printed) {
                    case "loss" -> new Printed.Scalar(1.0986104011535645);
                    case "dbiases1" -> new Printed.Rows(new double[1][h]);
                    default -> new Printed.Rows(new double[5][h]); // softmax_output is 5 x C
                });
        assertEquals("{\"seq\":7,\"outputs\":{\"value\":1.0986104011535645}}\n",
                session(kit, chaptersRun("loss")).stdout());
        assertEquals("{\"seq\":7,\"outputs\":{\"value\":[[0.0,0.0,0.0,0.0]]}}\n",
                session(kit, chaptersRun("dbiases1")).stdout());
        assertEquals("{\"seq\":7,\"error\":{\"kind\":\"exception\",\"message\":\"chapters "
                + "returned value of shape [5, 4], must be [5, 3]\"}}\n",
                session(kit, chaptersRun("softmax_output")).stdout());
        assertEquals("{\"seq\":7,\"unsupported\":\"printed \\\"epoch\\\" is not one of "
                + "dense1_output, softmax_output, loss, accuracy, dweights1, dbiases1, dweights2, "
                + "dbiases2, weights1, biases1, weights2, biases2, learning_rate\"}\n",
                session(kit, chaptersRun("epoch")).stdout());
    }

    static void assertKind(Kit kit, String kind, String request) throws IOException {
        String reply = session(kit, request).stdout();
        assertTrue(reply.startsWith("{\"seq\":7,\"error\":{\"kind\":\"" + kind + "\""),
                request + " -> " + reply);
    }

    @Test
    void preprocessTakesBytesIntegerLabelsAndAPermutationOfKeys() throws IOException {
        Kit kit = Kit.port("p", "float64").preprocess((images, labels, keys) -> {
            assertEquals(255, images[1][0][1]);
            assertEquals("[1, 0]", java.util.Arrays.toString(keys));
            return new Types.Preprocessed(new double[][] {{1, 2}, {3, 4}}, new int[] {7, 9});
        });
        String images = "\"images\":[[[0,1]],[[2,255]]]";
        assertEquals("{\"seq\":7,\"outputs\":{\"x\":[[1.0,2.0],[3.0,4.0]],\"y\":[7,9]}}\n",
                session(kit, run("preprocess", "{" + images + ",\"labels\":[9,7],"
                        + "\"keys\":[1,0]}", "{}")).stdout());
        Kit never = Kit.port("p", "float64").preprocess((images1, labels, keys) -> {
            throw new AssertionError("called");
        });
        String[][] cases = {
            {"{\"images\":[[[0,256]]],\"labels\":[0],\"keys\":[0]}", "invalid_value"},
            {"{\"images\":[[[0,-1]]],\"labels\":[0],\"keys\":[0]}", "invalid_value"},
            {"{\"images\":[[[0,1.5]]],\"labels\":[0],\"keys\":[0]}", "invalid_value"},
            {"{\"images\":[[[0,\"NaN\"]]],\"labels\":[0],\"keys\":[0]}", "invalid_value"},
            {"{\"images\":[[0,1]],\"labels\":[0],\"keys\":[0]}", "shape_mismatch"},
            {"{\"images\":[[[0,1],[2]]],\"labels\":[0],\"keys\":[0]}", "ragged_rows"},
            {"{\"images\":[],\"labels\":[],\"keys\":[]}", "empty_batch"},
            {"{" + images + ",\"labels\":[0],\"keys\":[0,1]}", "shape_mismatch"},
            {"{" + images + ",\"labels\":[0,0.5],\"keys\":[0,1]}", "shape_mismatch"},
            {"{" + images + ",\"labels\":[0,1],\"keys\":[0,0]}", "invalid_value"},
            {"{" + images + ",\"labels\":[0,1],\"keys\":[0,2]}", "invalid_value"},
            {"{" + images + ",\"labels\":[0,1],\"keys\":[0,-1]}", "invalid_value"},
            {"{" + images + ",\"labels\":[0,1],\"keys\":[0.5,1]}", "invalid_value"},
            {"{" + images + ",\"labels\":[0,1],\"keys\":[0]}", "shape_mismatch"},
        };
        for (String[] c : cases) {
            assertKind(never, c[1], run("preprocess", c[0], "{}"));
        }
    }

    @Test
    void raggedRowsInsideAnImageAreNamedByTheirPath() throws IOException {
        Kit kit = Kit.port("p", "float64").preprocess((images, labels, keys) -> null);
        assertEquals("{\"seq\":7,\"error\":{\"kind\":\"ragged_rows\",\"message\":\"images[1] "
                + "has rows of different shapes: images[1][0] is [2], images[1][1] is [1]\"}}\n",
                session(kit, run("preprocess", "{\"images\":[[[0,1],[2,3]],[[0,1],[2]]],"
                        + "\"labels\":[0,1],\"keys\":[0,1]}", "{}")).stdout());
    }

    @Test
    void preprocessReturnsImagesOfHTimesWPixels() throws IOException {
        Kit kit = Kit.port("p", "float64").preprocess((images, labels, keys) ->
                new Types.Preprocessed(new double[][] {{0, 0, 0}}, labels));
        assertEquals("{\"seq\":7,\"error\":{\"kind\":\"exception\",\"message\":\"preprocess "
                + "returned x of shape [1, 3], must be [B, P] = [1, 4]\"}}\n", session(kit,
                        run("preprocess", "{\"images\":[[[0,1],[2,3]]],\"labels\":[0],"
                                + "\"keys\":[0]}", "{}")).stdout());
    }

    @Test
    void repeatedForwardShapesEachOutputByItsOwnBatch() throws IOException {
        Kit kit = Kit.port("p", "float64").repeatedForward((x1, x2, w, b, dv) -> {
            assertEquals(3, x1.length);
            assertEquals(1, x2.length);
            return new Types.RepeatedForward(new double[3][1], new double[1][1],
                    new double[2][1], new double[1], new double[1][2]);
        });
        String weights = "\"weights\":[[1],[1]],\"biases\":[0]";
        assertEquals("{\"seq\":7,\"outputs\":{\"output1\":[[0.0],[0.0],[0.0]],"
                + "\"output2\":[[0.0]],\"dweights\":[[0.0],[0.0]],\"dbiases\":[0.0],"
                + "\"dinputs\":[[0.0,0.0]]}}\n", session(kit, run("repeated_forward",
                        "{\"inputs1\":[[1,2],[3,4],[5,6]],\"inputs2\":[[1,2]]," + weights
                                + ",\"dvalues\":[[1]]}", "{}")).stdout());
        Kit swapped = Kit.port("p", "float64").repeatedForward((x1, x2, w, b, dv) ->
                new Types.RepeatedForward(new double[1][1], new double[3][1],
                        new double[2][1], new double[1], new double[1][2]));
        assertEquals("{\"seq\":7,\"error\":{\"kind\":\"exception\",\"message\":"
                + "\"repeated_forward returned output1 of shape [1, 1], must be [B, N] = [3, 1]\"}}\n",
                session(swapped, run("repeated_forward", "{\"inputs1\":[[1,2],[3,4],[5,6]],"
                        + "\"inputs2\":[[1,2]]," + weights + ",\"dvalues\":[[1]]}", "{}"))
                        .stdout());
        Kit never = Kit.port("p", "float64").repeatedForward((x1, x2, w, b, dv) -> {
            throw new AssertionError("called");
        });
        String[][] cases = {
            {"\"inputs1\":[[1,2],[3,4]],\"inputs2\":[[1,2]]," + weights
                + ",\"dvalues\":[[1],[1]]", "shape_mismatch"}, // the first batch's dvalues
            {"\"inputs1\":[[1,2]],\"inputs2\":[[1,2,3]]," + weights + ",\"dvalues\":[[1]]",
                "shape_mismatch"},
            {"\"inputs1\":[],\"inputs2\":[[1,2]]," + weights + ",\"dvalues\":[[1]]",
                "empty_batch"},
            {"\"inputs1\":[[1,2]],\"inputs2\":[]," + weights + ",\"dvalues\":[[1]]",
                "empty_batch"},
            {"\"inputs1\":[[1,2]],\"inputs2\":[[1,2],[1]]," + weights + ",\"dvalues\":[[1]]",
                "ragged_rows"},
        };
        for (String[] c : cases) {
            assertKind(never, c[1], run("repeated_forward", "{" + c[0] + "}", "{}"));
        }
    }

    static String predictionsRun(String activation) {
        return run("predictions", "{\"inputs\":[[0.25,0.75],[0.5,0.5]]}",
                "{\"activation\":\"" + activation + "\"}");
    }

    @Test
    void predictionsAreShapedAndTypedByTheActivation() throws IOException {
        Kit kit = Kit.port("p", "float64").predictions((inputs, activation) ->
                switch (activation) {
                    case "softmax" -> new Predictions.Classes(new int[] {1, 0});
                    case "sigmoid" -> new Predictions.Binary(new int[][] {{0, 1}, {0, 0}});
                    default -> new Predictions.Values(inputs);
                });
        assertEquals("{\"seq\":7,\"outputs\":{\"predictions\":[1,0]}}\n",
                session(kit, predictionsRun("softmax")).stdout());
        assertEquals("{\"seq\":7,\"outputs\":{\"predictions\":[[0,1],[0,0]]}}\n",
                session(kit, predictionsRun("sigmoid")).stdout());
        assertEquals("{\"seq\":7,\"outputs\":{\"predictions\":[[0.25,0.75],[0.5,0.5]]}}\n",
                session(kit, predictionsRun("linear")).stdout());
        assertEquals("{\"seq\":7,\"unsupported\":\"activation \\\"tanh\\\" is not one of "
                + "softmax, sigmoid, linear\"}\n", session(kit, predictionsRun("tanh")).stdout());

        Kit wrong = Kit.port("p", "float64").predictions((inputs, activation) ->
                activation.equals("softmax") ? new Predictions.Classes(new int[] {1})
                        : new Predictions.Classes(new int[] {1, 0}));
        assertEquals("{\"seq\":7,\"error\":{\"kind\":\"exception\",\"message\":"
                + "\"predictions returned predictions of shape [1], must be [2]\"}}\n",
                session(wrong, predictionsRun("softmax")).stdout());
        assertEquals("{\"seq\":7,\"error\":{\"kind\":\"exception\",\"message\":"
                + "\"predictions returned Predictions.Classes for activation sigmoid, must be "
                + "Predictions.Binary\"}}\n", session(wrong, predictionsRun("sigmoid")).stdout());
        assertKind(wrong, "shape_mismatch", run("predictions", "{\"inputs\":[0.5,0.25]}",
                "{\"activation\":\"linear\"}"));
    }

    @Test
    void batchesStepsAreFixedByTheFirstOutputAndTheOthersMustAgree() throws IOException {
        Kit kit = Kit.port("p", "float64").batches((inputs, batchSize) -> {
            assertEquals(2, batchSize);
            return new Types.Batches(2, new int[] {2, 1}, new double[][] {{1}, {3}},
                    new double[][] {{2}, {3}});
        });
        String inputs = "{\"inputs\":[[1],[2],[3]],\"batch_size\":2}";
        assertEquals("{\"seq\":7,\"outputs\":{\"steps\":2,\"batch_sizes\":[2,1],"
                + "\"first_rows\":[[1.0],[3.0]],\"last_rows\":[[2.0],[3.0]]}}\n",
                session(kit, run("batches", inputs, "{}")).stdout());
        Kit disagree = Kit.port("p", "float64").batches((x, size) -> new Types.Batches(2,
                new int[] {2, 1}, new double[][] {{1}}, new double[][] {{2}, {3}}));
        assertEquals("{\"seq\":7,\"error\":{\"kind\":\"exception\",\"message\":\"batches "
                + "returned first_rows of shape [1, 1], must be [S, K] = [2, 1]\"}}\n",
                session(disagree, run("batches", inputs, "{}")).stdout());
        for (String size : new String[] {"0", "2.5", "-4", "\"2\"", "[2]"}) {
            assertKind(disagree, "invalid_value", run("batches",
                    "{\"inputs\":[[1],[2],[3]],\"batch_size\":" + size + "}", "{}"));
        }
        assertKind(disagree, "empty_batch", run("batches", "{\"inputs\":[],\"batch_size\":1}",
                "{}"));
    }

    @Test
    void regressionAccuracyTakesOnePrecisionAtLeastZero() throws IOException {
        Kit kit = Kit.port("p", "float64").regressionAccuracy((p, y, precision) -> precision);
        String arrays = "\"y_pred\":[[1.0]],\"y_true\":[[1.0]]";
        assertEquals("{\"seq\":7,\"outputs\":{\"accuracy\":0.0}}\n", session(kit,
                run("regression_accuracy", "{" + arrays + ",\"precision\":0}", "{}")).stdout());
        assertKind(kit, "invalid_value", run("regression_accuracy",
                "{" + arrays + ",\"precision\":-0.5}", "{}"));
        assertKind(kit, "shape_mismatch", run("regression_accuracy",
                "{" + arrays + ",\"precision\":[0.5]}", "{}"));
    }

    static final String TWO_LAYERS = "\"weights1\":[[1,2]],\"biases1\":[0,0],"
            + "\"weights2\":[[1],[1]],\"biases2\":[0],\"dweights1\":[[1,1]],"
            + "\"dbiases1\":[0,0],\"dweights2\":[[1],[1]],\"dbiases2\":[0]";
    static final String ADAM = "\"learning_rate\":0.001,\"decay\":0,\"epsilon\":1e-7,"
            + "\"beta_1\":0.9,\"beta_2\":0.999";

    @Test
    void sharedOptimizerGetsBothLayersAndAtLeastOneStep() throws IOException {
        Kit kit = Kit.port("p", "float64").sharedOptimizer((l1, l2, g1, g2, steps, lr, d, e,
                b1, b2) -> {
            assertEquals(3, steps);
            assertEquals(0.999, b2);
            return new Types.Layers(l2 == null ? null : l1, l2);
        });
        assertEquals("{\"seq\":7,\"outputs\":{\"weights1\":[[1.0,2.0]],\"biases1\":[0.0,0.0],"
                + "\"weights2\":[[1.0],[1.0]],\"biases2\":[0.0]}}\n", session(kit,
                        run("shared_optimizer", "{" + TWO_LAYERS + ",\"steps\":3," + ADAM + "}",
                                "{}")).stdout());
        for (String steps : new String[] {"0", "1.5", "-1"}) {
            assertKind(kit, "invalid_value", run("shared_optimizer",
                    "{" + TWO_LAYERS + ",\"steps\":" + steps + "," + ADAM + "}", "{}"));
        }
        assertKind(kit, "shape_mismatch", run("shared_optimizer", "{" + TWO_LAYERS.replace(
                "\"weights2\":[[1],[1]]", "\"weights2\":[[1]]") + ",\"steps\":1," + ADAM + "}",
                "{}"));
        Kit half = Kit.port("p", "float64").sharedOptimizer((l1, l2, g1, g2, steps, lr, d, e,
                b1, b2) -> new Types.Layers(l1, null));
        assertEquals("{\"seq\":7,\"error\":{\"kind\":\"exception\",\"message\":"
                + "\"shared_optimizer returned no weights2\"}}\n", session(half,
                        run("shared_optimizer", "{" + TWO_LAYERS + ",\"steps\":1," + ADAM + "}",
                                "{}")).stdout());
    }

    static String modelTrainingRun(String validation, String epochs, String l1) {
        return run("model_training", "{\"inputs\":[[1,2],[3,4],[5,6]],\"y_true\":[0,1,1],"
                + validation + ",\"weights1\":[[1],[1]],\"biases1\":[0],"
                + "\"weights2\":[[1,0]],\"biases2\":[0,0],\"epochs\":" + epochs + ","
                + "\"batch_size\":2,\"weight_regularizer_l1\":" + l1 + ","
                + "\"weight_regularizer_l2\":0,\"bias_regularizer_l1\":0,"
                + "\"bias_regularizer_l2\":0,\"learning_rate\":1,\"decay\":0,"
                + "\"momentum\":0,\"epsilon\":1e-7,\"rho\":0.9,\"beta_1\":0.9,"
                + "\"beta_2\":0.999}", "{\"label_format\":\"sparse\",\"optimizer\":\"sgd\"}");
    }

    @Test
    void modelTrainingHasAValidationBatchOfItsOwnAndOneValuePerEpoch() throws IOException {
        String validation = "\"validation_inputs\":[[1,1]],\"validation_y_true\":[1]";
        Kit kit = Kit.port("p", "float64").modelTraining((x, y, vx, vy, w1, b1, w2, b2, epochs,
                batchSize, r, optimizer, h) -> {
            assertEquals(1, vx.length);
            assertEquals("[1]", java.util.Arrays.toString(vy.classes()));
            assertEquals(0.5, r.weightL1());
            double[] e = new double[epochs];
            return new Types.ModelTrajectory(e, e, e, e, e, e, e, new Params(w1, b1),
                    new Params(w2, b2));
        });
        String reply = session(kit, modelTrainingRun(validation, "2", "0.5")).stdout();
        assertTrue(reply.startsWith("{\"seq\":7,\"outputs\":{\"loss\":[0.0,0.0],"
                + "\"data_loss\":[0.0,0.0],\"regularization_loss\":[0.0,0.0],"), reply);
        assertTrue(reply.endsWith("\"weights2\":[[1.0,0.0]],\"biases2\":[0.0,0.0]}}\n"), reply);
        String[][] cases = {
            {"\"validation_inputs\":[],\"validation_y_true\":[]", "2", "0", "empty_batch"},
            {"\"validation_inputs\":[[1,1]],\"validation_y_true\":[1,0]", "2", "0",
                "shape_mismatch"},
            {"\"validation_inputs\":[[1,1,1]],\"validation_y_true\":[1]", "2", "0",
                "shape_mismatch"},
            {"\"validation_inputs\":[[1,1]],\"validation_y_true\":[2]", "2", "0",
                "label_out_of_range"},
            {"\"validation_inputs\":[[1,1],[1]],\"validation_y_true\":[1,1]", "2", "0",
                "ragged_rows"},
            {validation, "0", "0", "invalid_value"},
            {validation, "2", "-1", "invalid_value"},
        };
        for (String[] c : cases) {
            assertKind(kit, c[3], modelTrainingRun(c[0], c[1], c[2]));
        }
    }

    @Test
    void evaluateGetsLabelsAndABatchSize() throws IOException {
        Kit kit = Kit.port("p", "float64").evaluate((yPred, yTrue, batchSize) ->
                new Types.Evaluation(batchSize, yTrue.classes()[1]));
        String yPred = "\"y_pred\":[[0.5,0.5],[0.25,0.75]]";
        assertEquals("{\"seq\":7,\"outputs\":{\"loss\":2.0,\"accuracy\":1.0}}\n",
                session(kit, run("evaluate", "{" + yPred + ",\"y_true\":[[1,0],[0,1]],"
                        + "\"batch_size\":2}", "{\"label_format\":\"onehot\"}")).stdout());
        assertKind(kit, "label_out_of_range", run("evaluate", "{" + yPred
                + ",\"y_true\":[0,2],\"batch_size\":2}", "{\"label_format\":\"sparse\"}"));
        assertKind(kit, "invalid_value", run("evaluate", "{" + yPred
                + ",\"y_true\":[0,1],\"batch_size\":0}", "{\"label_format\":\"sparse\"}"));
    }

    @Test
    void parametersGivesBackBothLayersAndTheLoadedModelsOutput() throws IOException {
        Kit kit = Kit.port("p", "float64").parameters((inputs, layer1, layer2) ->
                new Types.Loaded(layer1, new Params(layer2.weights(), new double[] {0.1}),
                        new double[][] {{1.0}}));
        assertEquals("{\"seq\":7,\"outputs\":{\"weights1\":[[1.0,2.0]],\"biases1\":[0.0,0.0],"
                + "\"weights2\":[[1.0],[1.0]],\"biases2\":[0.1],\"output\":[[1.0]]}}\n",
                session(kit, run("parameters", "{\"inputs\":[[3]],\"weights1\":[[1,2]],"
                        + "\"biases1\":[0,0],\"weights2\":[[1],[1]],\"biases2\":[0]}", "{}"))
                        .stdout());
    }

    @Test
    void everyStageOfTheTableHasAKitMethodNamedAfterIt() {
        for (String stage : Spec.STAGES.keySet()) {
            String[] words = stage.split("_");
            StringBuilder method = new StringBuilder(words[0]);
            for (int i = 1; i < words.length; i++) {
                method.append(Character.toUpperCase(words[i].charAt(0))).append(words[i], 1,
                        words[i].length());
            }
            String name = method.toString();
            assertTrue(java.util.Arrays.stream(Kit.class.getMethods())
                    .anyMatch(m -> m.getName().equals(name) && m.getReturnType() == Kit.class),
                    "Kit has no method " + name + " for the stage " + stage);
        }
    }

    @Test
    void theNewStagesAreDeclaredInTableOrder() throws IOException {
        Kit kit = Kit.port("p", "float64").parameters((x, l1, l2) -> null)
                .denseRelu((x, w, b) -> null).linear((x, dv) -> null)
                .repeatedForward((x1, x2, w, b, dv) -> null);
        assertTrue(session(kit, "{\"cmd\":\"hello\",\"protocol\":1}").stdout().contains(
                "\"stages\":[\"dense_relu\",\"repeated_forward\",\"linear\",\"parameters\"]"));
    }

    @Test
    void endsWithStatusZeroAtByeAndAtTheEndOfInput() throws IOException {
        Kit kit = Kit.port("p", "float64");
        Session bye = session(kit, "{\"cmd\":\"bye\"}", "{\"cmd\":\"hello\"}");
        assertEquals(0, bye.status());
        assertEquals("", bye.stdout());
        Session eof = session(kit, "", "{\"cmd\":\"hello\"}");
        assertEquals(0, eof.status());
        assertEquals(1, eof.stdout().lines().count());
    }
}
