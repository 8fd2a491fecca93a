package dev.panamacnn.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Tiling choice from device limits (no OpenCL needed). */
class GemmTilingTest {

    static OpenClDevice device(int maxWorkGroup, long localMem, boolean dedicated, int computeUnits) {
        return new OpenClDevice(0, "p", "d", "v", dedicated ? "GPU" : "CPU", "OpenCL 3.0", "OpenCL C 1.2", "1",
                computeUnits, 1000, 1L << 33, 1L << 31, localMem, dedicated, maxWorkGroup,
                List.of(1024L, 1024L, 64L), true);
    }

    @Test
    void limitsDecideWhichTilingsAreUsable() {
        assertEquals(GemmTiling.CANDIDATES, GemmTiling.usable(device(1024, 48 << 10, true, 132)), "a big GPU can run all");
        assertEquals("[32x32x16/4x4, 16x16x16/2x2, 8x8x8/2x2]", GemmTiling.usable(device(128, 48 << 10, true, 8)).toString(),
                "work-groups of 128 rule out the 256-item tilings");
        assertEquals("[8x8x8/2x2]", GemmTiling.usable(device(1024, 2 << 10, true, 8)).toString(),
                "half of 2 KiB local memory fits only the smallest tiles");
        assertEquals("[64x64x16/4x4, 32x32x16/4x4, 16x16x16/2x2, 8x8x8/2x2]",
                GemmTiling.usable(device(4096, 1 << 20, false, 2)).toString(),
                "emulated local memory (a CPU): at most 16 accumulators per work-item");
    }

    @Test
    void bigProductsGetBigTilesAndSmallOnesMoreWorkGroups() {
        List<GemmTiling> all = GemmTiling.CANDIDATES;
        assertEquals("128x64x16/8x4", GemmTiling.choose(all, 512, 25088, 1, 132).toString(), "batch 32 layer 2");
        // 512 x 49 (layer 4 at batch 1): no tiling gives 132 groups; the most groups among >= 64 items.
        assertEquals("16x16x16/2x2", GemmTiling.choose(all, 512, 49, 1, 132).toString());
        assertEquals("128x64x16/8x4", GemmTiling.choose(all, 512, 49, 1, 2).toString(), "two compute units are easy to fill");
    }

    @Test
    void headerUnrollsTheRegisterBlock() {
        String h = new GemmTiling(32, 32, 16, 4, 2).header();
        assertTrue(h.contains("#define TS_M 32\n") && h.contains("#define WPT_N 2\n"), h);
        assertTrue(h.contains("a_3_1 = 0.0f;") && h.contains(" a_3_1 += x3 * y1;"), h);
        assertTrue(h.contains("#define ACC_ARRAY {{a_0_0, a_0_1}, {a_1_0, a_1_1}, {a_2_0, a_2_1}, {a_3_0, a_3_1}}"), h);
    }

    @Test
    void parseAndValidate() {
        assertEquals(new GemmTiling(64, 64, 16, 4, 4), GemmTiling.parse(" 64x64x16/4x4 "));
        assertThrows(IllegalArgumentException.class, () -> GemmTiling.parse("64x64"));
        var e = assertThrows(IllegalArgumentException.class, () -> new GemmTiling(64, 64, 2, 4, 4));
        assertTrue(e.getMessage().contains("load passes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GemmTiling(64, 64, 16, 3, 4));
    }
}
