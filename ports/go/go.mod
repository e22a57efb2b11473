module nnfs-port

go 1.22

require nnfsconform/kit v0.0.0

replace nnfsconform/kit => ../../kits/go
