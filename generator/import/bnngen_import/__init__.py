"""bnngen_import: turns a binarized network in QONNX or FINN-ONNX form into bnngen's
network.yaml + weights.npz (docs/import.md). Run as `python3 -m bnngen_import`; the bnngen CLI's
`import` subcommand embeds this package and runs it."""
