package nnfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class NnfsTest {
    @Test
    void theBooksFirstNeuronGives35Point7() {
        // Chapter 1: inputs [1.2, 5.1, 2.1], weights [3.1, 2.1, 8.7], bias 3
        double output = Nnfs.neuron(new double[] {1.2, 5.1, 2.1}, new double[] {3.1, 2.1, 8.7}, 3);
        assertEquals(35.7, output, 1e-13);
    }

    @Test
    void theBooksLayerOfThreeNeurons() {
        // Chapter 2: three neurons of four inputs -> [4.8, 1.21, 2.385]
        double[] output = Nnfs.layer(new double[] {1, 2, 3, 2.5},
                new double[][] {{0.2, 0.8, -0.5, 1}, {0.5, -0.91, 0.26, -0.5},
                    {-0.26, -0.27, 0.17, 0.87}},
                new double[] {2, 3, 0.5});
        assertArrayEquals(new double[] {4.8, 1.21, 2.385}, output, 1e-14);
    }

    @Test
    void readsHardNumbersAsTheNearestDouble() throws Exception {
        JsonNode numbers = Port.JSON.readTree(
                "[5e-324, 1e+23, 9007199254740993, -0.0, 2.2250738585072014e-308]");
        double[] values = Port.vector("inputs", numbers);
        assertEquals(Double.MIN_VALUE, values[0]);
        assertEquals(1e23, values[1]);
        assertEquals(9007199254740992.0, values[2]);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(values[3]));
        assertEquals(Double.MIN_NORMAL, values[4]);
    }

    @Test
    void writesNonFiniteNumbersAsStrings() throws Exception {
        double[] values = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0};
        String reply = Port.JSON.writeValueAsString(Port.json(values));
        assertEquals("[\"NaN\",\"Infinity\",\"-Infinity\",-0.0]", reply);
    }

    @Test
    void answersARunMessageWithOneLine() throws Exception {
        JsonNode reply = Port.answer("{\"cmd\":\"run\",\"seq\":7,\"stage\":\"relu\","
                + "\"inputs\":{\"inputs\":[[-1.5, \"Infinity\"]]},\"params\":{}}");
        assertEquals("{\"seq\":7,\"outputs\":{\"output\":[[0.0,\"Infinity\"]]}}",
                Port.JSON.writeValueAsString(reply));
    }

    @Test
    void softmaxOfLargeLogitsDoesNotOverflow() {
        double[][] output = Nnfs.softmax(new double[][] {{1000, 1000}});
        assertArrayEquals(new double[] {0.5, 0.5}, output[0]);
    }

    @Test
    void mismatchedShapesAreStageErrors() {
        StageError error = assertThrows(StageError.class,
                () -> Nnfs.neuron(new double[] {1, 2, 3}, new double[] {0.5, 0.25}, 1));
        assertEquals("shape_mismatch", error.kind);
    }
}
