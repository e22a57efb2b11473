module nnfs-port

go 1.22
