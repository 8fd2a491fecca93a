package dev.panamacnn.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class TensorTest {

    @Test
    void memoryIs64ByteAlignedAndZeroed() {
        try (Arena arena = Arena.ofConfined()) {
            for (int n : new int[] {1, 3, 17, 1000}) {
                Tensor t = Tensor.zeros(arena, n);
                assertEquals(0, t.segment().address() % 64, "alignment of a " + n + "-element tensor");
                for (float v : t.toArray()) assertEquals(0f, v);
            }
        }
    }

    @Test
    void elementAccessIsRowMajor() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.of(arena, new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
            assertEquals(5f, t.get(1, 2));
            assertEquals(3f, t.get(1, 0));
            t.set(9f, 0, 1);
            assertEquals(9f, t.getFlat(1));
            assertEquals(Shape.of(2, 3), t.shape());
        }
    }

    @Test
    void outOfBoundsIndexNamesShapeAndAxis() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.zeros(arena, 2, 3);
            var e = assertThrows(IndexOutOfBoundsException.class, () -> t.get(1, 3));
            assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("axis 1"), e.getMessage());
            var r = assertThrows(IllegalArgumentException.class, () -> t.get(1));
            assertTrue(r.getMessage().contains("rank"), r.getMessage());
        }
    }

    @Test
    void copyFromArrayChecksLength() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.zeros(arena, 2, 2);
            var e = assertThrows(IllegalArgumentException.class, () -> t.copyFrom(new float[3]));
            assertTrue(e.getMessage().contains("length 3") && e.getMessage().contains("[2, 2]"), e.getMessage());
        }
    }

    @Test
    void reshapeIsAViewWithoutCopy() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.of(arena, new float[] {0, 1, 2, 3, 4, 5}, 1, 2, 3);
            Tensor v = t.reshape(3, -1);
            assertEquals(Shape.of(3, 2), v.shape());
            v.set(42f, 2, 1);
            assertEquals(42f, t.get(0, 1, 2), "the view writes through to the base tensor");
            assertEquals(t.segment().address(), v.segment().address());
            var e = assertThrows(IllegalArgumentException.class, () -> t.reshape(4, -1));
            assertTrue(e.getMessage().contains("cannot reshape"), e.getMessage());
            assertEquals(Shape.of(1, 6), t.flatten().shape());
        }
    }

    @Test
    void useAfterCloseThrowsIllegalState() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.zeros(arena, 4);
            Tensor view = t.reshape(2, 2);
            t.close();
            var e = assertThrows(IllegalStateException.class, () -> t.get(0));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            assertThrows(IllegalStateException.class, view::toArray, "closing the base closes its views");
            assertThrows(IllegalStateException.class, t::segment);
            t.close(); // idempotent
            assertTrue(t.isClosed());
        }
    }

    @Test
    void ownedTensorFreesItsMemoryOnClose() {
        Tensor t = Tensor.allocate(Shape.of(8));
        t.fill(2f);
        assertEquals(2f, t.get(3));
        var segment = t.segment();
        t.close();
        assertThrows(IllegalStateException.class, () -> segment.get(Tensor.FLOAT, 0),
                "the owned arena is closed, so even a leaked segment cannot be read");
    }

    @Test
    void closedArenaGivesIllegalStateNotACrash() {
        Arena arena = Arena.ofConfined();
        Tensor t = Tensor.zeros(arena, 4);
        arena.close();
        assertThrows(IllegalStateException.class, () -> t.get(0));
    }

    @Test
    void seededFillsAreReproducibleAndDistinct() {
        try (Arena arena = Arena.ofConfined()) {
            float[] a = Tensor.randomNormal(arena, 7, 0f, 1f, 1000).toArray();
            float[] b = Tensor.randomNormal(arena, 7, 0f, 1f, 1000).toArray();
            float[] c = Tensor.randomNormal(arena, 8, 0f, 1f, 1000).toArray();
            assertArrayEquals(a, b);
            assertNotEquals(a[0], c[0]);
            double mean = 0, var = 0;
            for (float v : a) mean += v / a.length;
            for (float v : a) var += (v - mean) * (v - mean) / a.length;
            assertEquals(0, mean, 0.15);
            assertEquals(1, var, 0.2);
            for (float v : Tensor.randomUniform(arena, 3, -2f, 5f, 1000).toArray()) {
                assertTrue(v >= -2f && v < 5f, "uniform sample " + v);
            }
        }
    }

    @Test
    void kaimingNormalHasVarianceTwoOverFanIn() {
        try (Arena arena = Arena.ofConfined()) {
            float[] w = Tensor.kaimingNormal(arena, 1, 64, 32, 3, 3).toArray(); // fanIn = 288
            double var = 0;
            for (float v : w) var += (double) v * v / w.length;
            assertEquals(2.0 / 288, var, 0.1 * 2.0 / 288);
            var e = assertThrows(IllegalArgumentException.class, () -> Tensor.kaimingNormal(arena, 1, 5));
            assertTrue(e.getMessage().contains("rank"), e.getMessage());
        }
    }

    @Test
    void negativeDimensionIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> Shape.of(2, -1));
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
    }
}
