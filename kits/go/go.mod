module nnfsconform/kit

go 1.22
