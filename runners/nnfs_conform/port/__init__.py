"""Talking to a port: the protocol, the processes, the port's folder and what it needs."""
