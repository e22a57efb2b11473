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
import org.nnfsconform.kit.Types.Labels;

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
