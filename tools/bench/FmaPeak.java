import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * What this host's cores deliver in FP32: each thread runs 12 independent chains of 512-bit FMAs
 * on registers (no memory traffic), and the aggregate GFLOP/s of four timed rounds is printed.
 *
 *     java --add-modules jdk.incubator.vector tools/bench/FmaPeak.java 1    # then 2
 */
public class FmaPeak {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;

    static float chains(int n, float[] seed) {
        FloatVector a = FloatVector.fromArray(S, seed, 0), b = FloatVector.fromArray(S, seed, 16);
        FloatVector c0 = a, c1 = b, c2 = a, c3 = b, c4 = a, c5 = b, c6 = a, c7 = b, c8 = a, c9 = b, c10 = a, c11 = b;
        for (int i = 0; i < n; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }

    public static void main(String[] args) throws InterruptedException {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        float[] seed = new float[32];
        java.util.Arrays.fill(seed, 0.999f);
        int n = 20_000_000;
        float[] sink = new float[threads];
        StringBuilder out = new StringBuilder();
        for (int round = 0; round < 6; round++) {
            Thread[] ts = new Thread[threads];
            long t0 = System.nanoTime();
            for (int i = 0; i < threads; i++) {
                int id = i;
                ts[i] = new Thread(() -> sink[id] += chains(n, seed));
                ts[i].start();
            }
            for (Thread t : ts) t.join();
            long ns = System.nanoTime() - t0;
            if (round >= 2) out.append(String.format("%.0f ", threads * 12.0 * 16 * 2 * n / ns)); // first two: warm-up
        }
        System.out.println(out + "GFLOP/s with " + threads + " thread(s)" + (sink[0] == 42 ? "" : ""));
    }
}
