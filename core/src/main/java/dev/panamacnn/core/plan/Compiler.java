package dev.panamacnn.core.plan;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.layers.Model;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code compile(model, inputShape, options)}: shape inference, lowering to a graph, batch-norm
 * folding and epilogue fusion, buffer planning by lifetime, and kernel preparation (weights
 * packed once) on the chosen backend. The result runs without allocating.
 */
public final class Compiler {
    private Compiler() {}

    public static CompiledModel compile(Model model, Shape inputShape, CompileOptions options) {
        model.checkInput(inputShape);
        model.layer().outputShape(inputShape); // every shape error surfaces here, before any work
        Graph g = Lowering.lower(model.layer(), inputShape, model.params(), model.state());
        Fusion.run(g);
        g.removeDeadNodes();
        ensureOutputIsWritten(g);
        Backend b = options.backend();
        ChannelBlocking.run(g, b);
        Halos.run(g, b);
        BufferPlanner.Layout layout = BufferPlanner.plan(g, options.threads());

        List<Kernel> kernels = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        try {
            Shape outputShape = g.shape(g.output);
            var upload = b.transfer(new Ops.Transfer(inputShape, layout.input(), Ops.Transfer.Direction.TO_BACKEND));
            upload.ifPresent(k -> add(kernels, steps, k, "TRANSFER input " + inputShape + " to " + b.name()));
            for (Graph.Node n : g.nodes) {
                if (n.kind == Graph.Kind.ALIAS) continue;
                String step = n.toString() + (g.halo(n.output) > 0 ? " [halo " + g.halo(n.output) + "]" : "")
                        + (g.blocked.get(n.output) ? " [blocked]" : "");
                add(kernels, steps, prepare(b, g, n, layout.refs()), step);
            }
            var download = b.transfer(new Ops.Transfer(outputShape, layout.output(), Ops.Transfer.Direction.TO_HOST));
            download.ifPresent(k -> add(kernels, steps, k, "TRANSFER output " + outputShape + " to host"));
            if (upload.isPresent() != download.isPresent()) {
                throw new IllegalStateException("backend " + b.name() + " transfers only one direction");
            }
        } catch (RuntimeException e) {
            kernels.forEach(Kernel::close);
            throw e;
        }
        return new CompiledModel(inputShape, g.shape(g.output), kernels, steps, layout, options);
    }

    private static void add(List<Kernel> kernels, List<String> steps, Kernel k, String step) {
        kernels.add(k);
        steps.add(step);
    }

    /** If the output is (a view of) the input, a copy gives the output its own buffer. */
    private static void ensureOutputIsWritten(Graph g) {
        int v = g.output;
        while (v != g.input) {
            Graph.Node p = g.producer(v);
            if (p == null || p.kind != Graph.Kind.ALIAS) return;
            v = p.inputs[0];
        }
        Graph.Node copy = new Graph.Node(Graph.Kind.COPY, "output", g.newValue(g.shape(g.output)), g.output);
        g.nodes.add(copy);
        g.output = copy.output;
    }

    private static Kernel prepare(Backend b, Graph g, Graph.Node n, BufferRef[] refs) {
        Shape out = g.shape(n.output);
        BufferRef y = refs[n.output];
        if (n.kind == Graph.Kind.CONST) return b.constant(new Ops.Constant(out, n.value, y));
        Shape in = g.shape(n.inputs[0]);
        BufferRef x = refs[n.inputs[0]];
        return switch (n.kind) {
            case CONV -> b.conv(new Ops.Conv(in, out, n.convSpec, n.weight, n.bias, n.activation, x, y,
                    n.residual >= 0 ? refs[n.residual] : null, g.layout(n.inputs[0]), g.layout(n.output),
                    g.halo(n.inputs[0]), g.halo(n.output)));
            case LINEAR -> b.linear(new Ops.Linear(in, out, n.weight, n.bias, n.activation, x, y));
            case AFFINE -> b.affine(new Ops.Affine(in, n.scale, n.shift, n.activation, x, y));
            case POOL -> b.pool(new Ops.Pool(in, out, n.poolSpec, n.max, x, y, g.layout(n.output), g.halo(n.output)));
            case GLOBAL_POOL -> b.globalPool(new Ops.GlobalPool(in, n.max, x, y, g.layout(n.inputs[0]), g.halo(n.inputs[0])));
            // Element-wise: a blocked tensor is processed as its storage, padding channels included.
            case ACT -> b.activation(new Ops.Act(g.storageShape(n.inputs[0]), n.activation, x, y));
            case ADD -> b.add(new Ops.Add(g.storageShape(n.output), n.activation, x, refs[n.inputs[1]], y));
            case REORDER -> b.reorder(new Ops.Reorder(in, g.channelBlock, g.layout(n.inputs[0]), g.layout(n.output), x, y));
            case SOFTMAX -> b.softmax(new Ops.Softmax(in, n.axis, x, y));
            case COPY -> b.copy(new Ops.Copy(in, x, y));
            case BINARY -> b.binary(new Ops.Binary(n.binaryOp, in, g.shape(n.inputs[1]), out, x, refs[n.inputs[1]], y));
            case CONCAT -> {
                List<Shape> shapes = new ArrayList<>();
                List<BufferRef> ins = new ArrayList<>();
                for (int v : n.inputs) {
                    shapes.add(g.shape(v));
                    ins.add(refs[v]);
                }
                yield b.concat(new Ops.Concat(shapes, n.axis, out, ins, y));
            }
            case TRANSPOSE -> b.transpose(new Ops.Transpose(in, n.ints, out, x, y));
            case PAD -> b.pad(new Ops.Pad(in, n.ints, n.padValue, out, x, y));
            case SLICE -> b.slice(new Ops.Slice(in, n.slice, out, x, y));
            case REDUCE_MEAN -> b.reduceMean(new Ops.ReduceMean(in, n.ints, n.keepDims, out, x, y));
            case MATMUL -> b.matmul(new Ops.MatMul(in, g.shape(n.inputs[1]), out, x, refs[n.inputs[1]], y));
            case CONST -> throw new IllegalStateException("constants are prepared above");
            case ALIAS -> throw new IllegalStateException("aliases have no kernel");
        };
    }
}
