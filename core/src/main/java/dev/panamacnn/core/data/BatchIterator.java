package dev.panamacnn.core.data;

import dev.panamacnn.core.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Mini-batches over a dataset held as one tensor {@code [N, ...]} with one integer label per
 * sample. The batch tensor and label array are allocated once, at construction, in the
 * caller's arena; {@link #next()} copies the next samples into them, so an epoch allocates
 * nothing.
 *
 * <pre>{@code
 * BatchIterator batches = BatchIterator.shuffled(x, y, 64, seed, false, arena);
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     batches.startEpoch(epoch);
 *     while (batches.next()) {
 *         step(batches.inputs(), batches.labels());   // [b, ...] and int[b]
 *     }
 * }
 * }</pre>
 *
 * <p>Shuffled order: epoch {@code e} visits the samples in a permutation that depends only on
 * {@code (seed, e, N)} — a Fisher–Yates shuffle of {@code 0..N-1} driven by
 * {@code L64X128MixRandom} seeded with the 16 bytes of {@code seed} and {@code e} — so a run
 * restarted at epoch {@code e} sees the same batches. The last batch of an epoch holds the
 * {@code N % batchSize} leftover samples unless {@code dropLast} is set. Not thread-safe.
 */
public final class BatchIterator {
    private final Tensor inputs;
    private final int[] sourceLabels;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int batches;
    private final long sampleBytes;
    private final int[] order;
    private final Tensor fullInputs, tailInputs; // tailInputs views fullInputs' memory
    private final int[] fullLabels, tailLabels;

    private int batch = -1; // index of the current batch; -1 before the first next()
    private boolean started;
    private Tensor currentInputs;
    private int[] currentLabels;

    private BatchIterator(Tensor inputs, int[] labels, int batchSize, boolean shuffle, long seed,
            boolean dropLast, Arena arena) {
        if (inputs.rank() < 1) {
            throw new IllegalArgumentException("inputs need a leading sample axis, got shape "
                    + inputs.shape());
        }
        int n = inputs.dim(0);
        if (labels.length != n) {
            throw new IllegalArgumentException(labels.length + " labels for " + n
                    + " samples (inputs " + inputs.shape() + ")");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        int tail = dropLast ? 0 : n % batchSize;
        this.batches = n / batchSize + (tail > 0 ? 1 : 0);
        if (batches == 0) {
            throw new IllegalArgumentException("no batch of " + batchSize + " fits in " + n
                    + " samples with dropLast");
        }
        this.inputs = inputs;
        this.sourceLabels = labels;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.sampleBytes = inputs.shape().sizeFrom(1) * Float.BYTES;
        this.order = new int[n];
        int full = Math.min(batchSize, n);
        this.fullInputs = Tensor.allocate(arena, inputs.shape().withDim(0, full));
        this.fullLabels = new int[full];
        this.tailInputs = tail == 0 ? fullInputs
                : Tensor.wrap(fullInputs.segment(), inputs.shape().withDim(0, tail));
        this.tailLabels = tail == 0 ? fullLabels : new int[tail];
    }

    /** Batches in a seeded random order, reshuffled every epoch. */
    public static BatchIterator shuffled(Tensor inputs, int[] labels, int batchSize, long seed,
            boolean dropLast, Arena arena) {
        return new BatchIterator(inputs, labels, batchSize, true, seed, dropLast, arena);
    }

    /** Batches in dataset order, the last one possibly smaller (for evaluation). */
    public static BatchIterator inOrder(Tensor inputs, int[] labels, int batchSize, Arena arena) {
        return new BatchIterator(inputs, labels, batchSize, false, 0, false, arena);
    }

    /** Rewinds to the first batch of epoch {@code epoch} (≥ 0), reshuffling if shuffled. */
    public void startEpoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        }
        for (int i = 0; i < order.length; i++) order[i] = i;
        if (shuffle) {
            RandomGenerator rng = epochGenerator(seed, epoch);
            for (int i = order.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        batch = -1;
        started = true;
        currentInputs = null;
        currentLabels = null;
    }

    /** Fills the next batch; false when the epoch is done. */
    public boolean next() {
        if (!started) {
            throw new IllegalStateException("call startEpoch(epoch) before next()");
        }
        if (batch + 1 >= batches) {
            currentInputs = null;
            currentLabels = null;
            batch = batches;
            return false;
        }
        batch++;
        boolean isTail = batch == batches - 1 && tailLabels != fullLabels;
        Tensor dst = isTail ? tailInputs : fullInputs;
        int[] dstLabels = isTail ? tailLabels : fullLabels;
        MemorySegment src = inputs.segment(), out = dst.segment();
        int first = batch * batchSize;
        for (int k = 0; k < dstLabels.length; k++) {
            int s = order[first + k];
            MemorySegment.copy(src, s * sampleBytes, out, k * sampleBytes, sampleBytes);
            dstLabels[k] = sourceLabels[s];
        }
        currentInputs = dst;
        currentLabels = dstLabels;
        return true;
    }

    /** The current batch's inputs {@code [b, ...]}; valid until the next call to {@link #next()}. */
    public Tensor inputs() {
        return checkCurrent(currentInputs);
    }

    /** The current batch's labels (length b); the array is reused by the next batch. */
    public int[] labels() {
        return checkCurrent(currentLabels);
    }

    /** Samples in the current batch. */
    public int size() {
        return checkCurrent(currentLabels).length;
    }

    /** Index of the current batch within the epoch. */
    public int batchIndex() {
        checkCurrent(currentLabels);
        return batch;
    }

    /** Batches in every epoch. */
    public int batchesPerEpoch() {
        return batches;
    }

    /** Samples in every epoch (all of them, less those dropped by {@code dropLast}). */
    public int samplesPerEpoch() {
        return tailLabels == fullLabels ? batches * fullLabels.length
                : (batches - 1) * batchSize + tailLabels.length;
    }

    private <T> T checkCurrent(T value) {
        if (value == null) {
            throw new IllegalStateException("no current batch: call startEpoch and next() first");
        }
        return value;
    }

    private static RandomGenerator epochGenerator(long seed, int epoch) {
        byte[] key = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(seed).putLong(epoch).array();
        return RandomGeneratorFactory.of("L64X128MixRandom").create(key);
    }
}
