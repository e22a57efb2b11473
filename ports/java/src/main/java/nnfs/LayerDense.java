package nnfs;

import org.nnfsconform.kit.Types.DenseGradients;
import org.nnfsconform.kit.Types.Params;

/**
 * The book's Layer_Dense: weights (K, N), biases (N). It keeps what its last forward pass saw,
 * as the book's {@code self.inputs}, so backward and get_parameters read it; the arithmetic is
 * the stage methods' ({@link Nnfs#denseBatch}, {@link Training#denseBackward}). The stages
 * about the objects themselves (repeated_forward, parameters) use it.
 */
final class LayerDense {
    double[][] weights;
    double[] biases;
    double[][] inputs;
    double[][] output;
    double[][] dweights;
    double[] dbiases;
    double[][] dinputs;

    /**
     * A fresh layer of nInputs x nNeurons. NOTE: the book starts from 0.01 * randn; the
     * layers here are always given their parameters (set_parameters), so zeros will do.
     */
    LayerDense(int nInputs, int nNeurons) {
        weights = new double[nInputs][nNeurons];
        biases = new double[nNeurons];
    }

    /** A layer holding these parameters (the arrays themselves, as NumPy would). */
    LayerDense(double[][] weights, double[] biases) {
        this.weights = weights;
        this.biases = biases;
    }

    /** output = inputs @ weights + biases; remembers the inputs for backward. */
    void forward(double[][] inputs) {
        this.inputs = inputs;
        output = Nnfs.denseBatch(inputs, weights, biases);
    }

    /** The gradients of the LAST forward pass's inputs. */
    void backward(double[][] dvalues) {
        DenseGradients gradients = Training.denseBackward(inputs, weights, dvalues);
        dweights = gradients.dweights();
        dbiases = gradients.dbiases();
        dinputs = gradients.dinputs();
    }

    /** get_parameters: (weights, biases). */
    Params getParameters() {
        return new Params(weights, biases);
    }

    /** set_parameters: the given weights and biases replace the layer's. */
    void setParameters(double[][] weights, double[] biases) {
        this.weights = weights;
        this.biases = biases;
    }
}
