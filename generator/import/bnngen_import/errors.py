"""The importer's errors: a bad model is reported as one clear message naming the node."""


class ImportFailure(Exception):
    """A model bnngen cannot build. The message names the node (name and op type), what was
    expected and what was found; the CLI prints it as `MODEL: error: MESSAGE` and exits 1."""


def describe(node, index=None):
    """`node 'conv1' (Conv)`; an unnamed node is named by its first output tensor."""
    if node is None:
        return "the graph"
    if node.name:
        return f"node '{node.name}' ({node.op_type})"
    out = node.output[0] if len(node.output) else "?"
    return f"the {node.op_type} node writing '{out}'"


def fail(node, message):
    raise ImportFailure(f"{describe(node)}: {message}")
