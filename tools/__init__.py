"""The maintainer's tools behind make: conform-all, matrix, mistakes, dist's bundle, screenshot.

Run from the repository's root as modules (`python -m tools.variants`), so that `reference`,
`generator` and `tools` import as the repository's packages.
"""
