package nnfs;

/** The book's Activation_ReLU: keeps its last inputs, as {@code self.inputs}. */
final class ActivationReLU {
    double[][] inputs;
    double[][] output;
    double[][] dinputs;

    void forward(double[][] inputs) {
        this.inputs = inputs;
        output = Nnfs.relu(inputs);
    }

    /** NOTE: masked on the LAST forward pass's inputs. */
    void backward(double[][] dvalues) {
        dinputs = Training.reluBackward(inputs, dvalues);
    }
}
