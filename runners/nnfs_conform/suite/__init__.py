"""The suite's files and their contract: the stage table, the vector files, JSON numbers."""
