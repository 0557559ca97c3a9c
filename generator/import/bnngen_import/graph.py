"""The ONNX graph as the importer sees it: constants (initializers, Constant nodes and everything
computed from them alone, e.g. Quant on a weight), the remaining nodes in topological order, who
consumes each tensor, attributes and FINN's quantization annotations."""

from collections import defaultdict

import numpy as np
import onnx
from onnx import helper, numpy_helper

from . import const_ops
from .errors import ImportFailure, describe, fail

# Domains whose ops we know: ONNX's own and the QONNX / FINN custom-op domains.
STANDARD_DOMAINS = {"", "ai.onnx"}
CUSTOM_DOMAINS = {"qonnx.custom_op.general", "finn.custom_op.general", "finn", "qonnx",
                  "finn.custom_op.fpgadataflow", "qonnx.custom_op.channels_last",
                  "finn.custom_op.channels_last"}


def attributes(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def attr_str(value):
    return value.decode() if isinstance(value, bytes) else value


class Graph:
    def __init__(self, path):
        try:
            model = onnx.load(path)
        except FileNotFoundError:
            raise ImportFailure("cannot open the model: no such file")
        except Exception as e:  # protobuf's DecodeError and friends
            raise ImportFailure(f"not an ONNX model (protobuf could not parse it: {e})")
        self.model = model
        g = model.graph
        if len(g.node) == 0:
            raise ImportFailure("the graph has no nodes")
        self.consts = {}
        for init in g.initializer:
            self.consts[init.name] = numpy_helper.to_array(init)
        self.annotations = {}
        for ann in g.quantization_annotation:
            for kv in ann.quant_parameter_tensor_names:
                if kv.key == "finn_datatype":
                    self.annotations[ann.tensor_name] = kv.value
        self.inputs = [i for i in g.input if i.name not in self.consts]
        self.outputs = [o.name for o in g.output]
        self.value_info = {v.name: v for v in list(g.input) + list(g.output) + list(g.value_info)}
        nodes = self._topological(list(g.node))
        self.nodes = []
        for node in nodes:
            self._check_domain(node)
            if self._fold(node):
                continue
            self.nodes.append(node)
        self.consumers = defaultdict(list)
        for node in self.nodes:
            for name in node.input:
                if name and name not in self.consts:
                    self.consumers[name].append(node)

    @staticmethod
    def _topological(nodes):
        produced_by = {}
        for node in nodes:
            for out in node.output:
                if out:
                    produced_by[out] = node
        order, state = [], {}
        for root in nodes:
            stack = [(root, False)]
            while stack:
                node, done = stack.pop()
                key = id(node)
                if done:
                    if state.get(key) != 2:
                        state[key] = 2
                        order.append(node)
                    continue
                if state.get(key) == 2:
                    continue
                if state.get(key) == 1:
                    raise ImportFailure(f"{describe(node)}: the graph has a cycle through this node")
                state[key] = 1
                stack.append((node, True))
                for name in node.input:
                    dep = produced_by.get(name)
                    if dep is not None and state.get(id(dep)) != 2:
                        if state.get(id(dep)) == 1:
                            raise ImportFailure(f"{describe(node)}: the graph has a cycle through this node")
                        stack.append((dep, False))
        return order

    @staticmethod
    def _check_domain(node):
        if node.domain not in STANDARD_DOMAINS and node.domain not in CUSTOM_DOMAINS:
            fail(node, f"op domain '{node.domain}' is not ONNX's, QONNX's or FINN's")

    def _fold(self, node):
        """Computes a node whose inputs are all constants; returns whether it did."""
        if node.op_type == "Constant":
            a = attributes(node)
            if "value" not in a:
                fail(node, "only Constant nodes with a tensor 'value' are supported")
            self.consts[node.output[0]] = numpy_helper.to_array(a["value"])
            return True
        inputs = [name for name in node.input if name]
        if not inputs or not all(name in self.consts for name in inputs):
            return False
        impl = const_ops.FOLDABLE.get(node.op_type)
        if impl is None:
            return False
        args = [self.consts[name] if name else None for name in node.input]
        try:
            outs = impl(node, args, attributes(node))
        except ImportFailure:
            raise
        except Exception as e:
            fail(node, f"cannot compute it on its constant inputs: {e}")
        for name, value in zip(node.output, outs):
            if name:
                self.consts[name] = np.asarray(value)
        return True

    def const(self, node, index, what):
        """The constant input `index` of `node`, or a clear error."""
        if index >= len(node.input) or not node.input[index]:
            fail(node, f"expected {what} as input {index}, found no input")
        name = node.input[index]
        if name not in self.consts:
            fail(node, f"expected {what} (input {index}, '{name}') to be a constant (initializer), "
                       f"found a tensor computed from the model's input")
        return self.consts[name]

    def const_or_none(self, node, index):
        if index >= len(node.input) or not node.input[index]:
            return None
        return self.consts.get(node.input[index])

    def datatype(self, tensor):
        return self.annotations.get(tensor)

    def declared_shape(self, name):
        vi = self.value_info.get(name)
        if vi is None or not vi.type.HasField("tensor_type"):
            return None
        dims = []
        for d in vi.type.tensor_type.shape.dim:
            dims.append(d.dim_value if d.HasField("dim_value") else None)
        return dims
