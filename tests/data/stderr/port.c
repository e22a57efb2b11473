#include <assert.h>
#include <stdio.h>

static void softmax(const double *row, int cols) {
    assert(cols > 0 && "a row needs at least one class");
    (void)row;
}

int main(void) {
    fprintf(stderr, "debug: starting\n");
    softmax(NULL, 0);
    return 0;
}
