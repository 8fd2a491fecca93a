package dev.panamacnn.core.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import dev.panamacnn.core.examples.LeNet5;
import dev.panamacnn.core.layers.Mode;
import dev.panamacnn.core.layers.Model;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The compiler brackets a run with the backend's transfer steps, and only when it asks for them. */
class TransferTest {

    /**
     * Computes on the reference kernels but keeps a "device" copy of the input and output slots:
     * the upload step checks the host input slot already holds the caller's input, the download
     * step checks that every compute step ran before it. Every step logs its name.
     */
    static class RecordingBackend implements Backend {
        final List<String> log = new ArrayList<>();
        final float[] expectedInput;
        int closedTransfers;

        RecordingBackend(float[] expectedInput) {
            this.expectedInput = expectedInput;
        }

        @Override
        public String name() {
            return "recording";
        }

        private Kernel logged(String what, Kernel k) {
            return new Kernel() {
                @Override
                public Runnable bind(ExecutionContext ctx) {
                    Runnable r = k.bind(ctx);
                    return () -> {
                        log.add(what);
                        r.run();
                    };
                }

                @Override
                public void close() {
                    k.close();
                }
            };
        }

        @Override
        public Optional<Kernel> transfer(Ops.Transfer op) {
            return Optional.of(new Kernel() {
                @Override
                public Runnable bind(ExecutionContext ctx) {
                    MemorySegment slot = ctx.workspace().asSlice(op.slot().byteOffset(), op.shape().size() * Float.BYTES);
                    return () -> {
                        log.add(op.direction().name());
                        if (op.direction() == Ops.Transfer.Direction.TO_BACKEND) {
                            assertArrayEquals(expectedInput, slot.toArray(Tensor.FLOAT), "input slot before upload");
                        }
                    };
                }

                @Override
                public void close() {
                    closedTransfers++;
                }
            });
        }

        private <O> Kernel ref(String what, Function<O, Kernel> f, O op) {
            return logged(what, f.apply(op));
        }

        @Override public Kernel conv(Ops.Conv op) { return ref("conv", ReferenceBackend.INSTANCE::conv, op); }
        @Override public Kernel linear(Ops.Linear op) { return ref("linear", ReferenceBackend.INSTANCE::linear, op); }
        @Override public Kernel pool(Ops.Pool op) { return ref("pool", ReferenceBackend.INSTANCE::pool, op); }
        @Override public Kernel globalPool(Ops.GlobalPool op) { return ref("gpool", ReferenceBackend.INSTANCE::globalPool, op); }
        @Override public Kernel affine(Ops.Affine op) { return ref("affine", ReferenceBackend.INSTANCE::affine, op); }
        @Override public Kernel add(Ops.Add op) { return ref("add", ReferenceBackend.INSTANCE::add, op); }
        @Override public Kernel activation(Ops.Act op) { return ref("act", ReferenceBackend.INSTANCE::activation, op); }
        @Override public Kernel softmax(Ops.Softmax op) { return ref("softmax", ReferenceBackend.INSTANCE::softmax, op); }
        @Override public Kernel copy(Ops.Copy op) { return ref("copy", ReferenceBackend.INSTANCE::copy, op); }
    }

    @Test
    void transfersRunFirstAndLastOncePerRun() {
        try (Arena arena = Arena.ofConfined(); Model m = Model.init(LeNet5.build(), LeNet5.INPUT, 7)) {
            Tensor x = Tensor.randomNormal(arena, 3, 0f, 1f, LeNet5.INPUT.dims());
            RecordingBackend b = new RecordingBackend(x.toArray());
            Tensor expected = m.forward(x, Mode.INFERENCE, arena);
            try (CompiledModel plan = Compiler.compile(m, LeNet5.INPUT, CompileOptions.of(b))) {
                List<String> steps = plan.steps();
                assertTrue(steps.getFirst().startsWith("TRANSFER input [1, 1, 28, 28]"), steps.toString());
                assertTrue(steps.getLast().startsWith("TRANSFER output [1, 10]"), steps.toString());
                for (int run = 0; run < 2; run++) {
                    b.log.clear();
                    Tensor y = plan.run(x, arena);
                    assertArrayEquals(expected.toArray(), y.toArray());
                    assertEquals("TO_BACKEND", b.log.getFirst(), b.log.toString());
                    assertEquals("TO_HOST", b.log.getLast(), b.log.toString());
                    assertEquals(2, b.log.stream().filter(s -> s.startsWith("TO_")).count(), b.log.toString());
                    assertEquals(steps.size(), b.log.size(), "one runner per step");
                }
            }
            assertEquals(2, b.closedTransfers, "transfer kernels are closed with the model");
        }
    }

    @Test
    void hostBackendsGetNoTransferSteps() {
        try (Model m = Model.init(LeNet5.build(), LeNet5.INPUT, 7);
             CompiledModel plan = Compiler.compile(m, LeNet5.INPUT, CompileOptions.of(ReferenceBackend.INSTANCE))) {
            assertTrue(plan.steps().stream().noneMatch(s -> s.startsWith("TRANSFER")), plan.steps().toString());
        }
    }

    @Test
    void aBackendThatTransfersOneWayIsRejected() {
        Backend oneWay = new RecordingBackend(new float[0]) {
            @Override
            public Optional<Kernel> transfer(Ops.Transfer op) {
                return op.direction() == Ops.Transfer.Direction.TO_BACKEND ? super.transfer(op) : Optional.empty();
            }
        };
        try (Model m = Model.init(LeNet5.build(), LeNet5.INPUT, 7)) {
            var e = assertThrows(IllegalStateException.class,
                    () -> Compiler.compile(m, Shape.of(1, 1, 28, 28), CompileOptions.of(oneWay)));
            assertTrue(e.getMessage().contains("one direction"), e.getMessage());
        }
    }
}
