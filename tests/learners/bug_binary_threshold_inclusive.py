"""book_nn_ch18 with one bug: Activation_Sigmoid.predictions calls an output of exactly 0.5
class 1 (>=), where the book's test is strict (> 0.5)."""

from book_nn_ch18 import *  # noqa: F403 - the whole network; one class is replaced below


class Activation_Sigmoid(Activation_Sigmoid):  # noqa: F405
    def predictions(self, outputs):
        return (outputs >= 0.5) * 1
