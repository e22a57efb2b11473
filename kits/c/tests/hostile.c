/* A learner that prints on stdout while it computes: the kit must keep every reply intact. */
#include <stdio.h>
#include <unistd.h>

#include "../nnfs_kit.h"

static bool neuron(Vector inputs, Vector weights, nnfs_real bias, nnfs_real *output) {
    printf("loss: 1.09 (a debug print, no newline)");
    puts("{\"seq\":1,\"outputs\":{\"output\":0}}");
    fflush(stdout);
    if (write(1, "raw write to fd 1\n", 18) < 0)
        return nnfs_fail("write failed");
    nnfs_real total = bias;
    for (size_t k = 0; k < inputs.len; k++)
        total += inputs.values[k] * weights.values[k];
    *output = total;
    return true;
}

int main(void) {
    printf("printed before nnfs_serve\n");
    nnfs_port port = {.name = "hostile", .stages = {.neuron = neuron}};
    return nnfs_serve(&port);
}
