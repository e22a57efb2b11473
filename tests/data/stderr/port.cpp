#include <iostream>
#include <stdexcept>
#include <vector>

static std::vector<double> softmax(const std::vector<double> &row, std::size_t classes) {
    if (row.size() != classes) throw std::runtime_error("softmax: rows of different lengths");
    return row;
}

int main() {
    std::cerr << "debug: starting\n";
    softmax({1.0, 2.0}, 3);
}
