"""A correct port that says which stages it lacks and why, as the book-class driver does."""

import _port

_port.serve(
    hello=dict(
        _port.HELLO,
        stages=["neuron", "relu"],
        missing={"accuracy": "Accuracy_Categorical is not defined in my_nn.py"},
    )
)
