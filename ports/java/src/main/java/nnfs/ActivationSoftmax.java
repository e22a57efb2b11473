package nnfs;

/** The book's Activation_Softmax, with the Model's predictions(). */
final class ActivationSoftmax {
    double[][] output;

    void forward(double[][] inputs) {
        output = Nnfs.softmax(inputs);
    }

    /** predictions(): the class of each sample, the first maximum on a tie. */
    int[] predictions(double[][] outputs) {
        int[] classes = new int[outputs.length];
        for (int b = 0; b < outputs.length; b++) {
            classes[b] = Nnfs.argmax(outputs[b]);
        }
        return classes;
    }
}
