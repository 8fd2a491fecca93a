package dev.panamacnn.core.data;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Grey images with class labels in the MNIST IDX format: an images file {@code [N, rows, cols]}
 * of unsigned bytes (0 = background) and a labels file {@code [N]} of classes 0..9, each plain
 * or gzip'd. Pixels stay bytes in memory (N × 784 bytes for MNIST); {@link #images} converts
 * them to a float tensor {@code [N, 1, rows, cols]} when asked.
 *
 * <p>The copy panama-cnn ships (tools module, {@code dev/panamacnn/tools/mnist}) is already in a
 * seeded random order, so {@link #split()} is positional: the first {@value #TRAIN_COUNT}
 * digits train, the rest ({@value #TEST_COUNT}) are held out — the same split any other
 * language gets by reading the same files.
 */
public final class MnistDataset {
    /** Classes 0..9. */
    public static final int CLASSES = 10;
    /** Training digits in the standard split of the shipped 10,000. */
    public static final int TRAIN_COUNT = 8000;
    /** Held-out digits in the standard split of the shipped 10,000. */
    public static final int TEST_COUNT = 2000;

    /** How bytes become floats: {@code (byte / 255 - mean) / std}. */
    public record Normalization(float mean, float std) {
        /** Values in 0..1. */
        public static final Normalization NONE = new Normalization(0f, 1f);
        /** Zero mean, unit variance with the customary MNIST statistics (as torchvision examples use). */
        public static final Normalization MNIST = new Normalization(0.1307f, 0.3081f);

        public Normalization {
            if (!(std > 0) || !Float.isFinite(mean) || !Float.isFinite(std)) {
                throw new IllegalArgumentException("normalization needs a finite mean and std > 0,"
                        + " got mean " + mean + ", std " + std);
            }
        }
    }

    /** A training part and a held-out part. */
    public record Split(MnistDataset train, MnistDataset test) {}

    private final byte[] pixels; // [count, rows, cols], shared by slices
    private final byte[] labels;
    private final int offset; // first image of this view
    private final int count;
    private final int rows, cols;

    private MnistDataset(byte[] pixels, byte[] labels, int offset, int count, int rows, int cols) {
        this.pixels = pixels;
        this.labels = labels;
        this.offset = offset;
        this.count = count;
        this.rows = rows;
        this.cols = cols;
    }

    /** Reads an images file and a labels file (plain or gzip'd IDX). */
    public static MnistDataset read(Path images, Path labels) throws IOException {
        try (InputStream i = Files.newInputStream(images); InputStream l = Files.newInputStream(labels)) {
            return read(i, images.toString(), l, labels.toString());
        }
    }

    /**
     * Reads from two streams (plain or gzip'd IDX), e.g. class-path resources; the names only
     * appear in error messages. The caller closes the streams.
     */
    public static MnistDataset read(InputStream images, String imagesName, InputStream labels,
            String labelsName) throws IOException {
        Idx.UnsignedBytes img = Idx.read(images, 3, imagesName);
        Idx.UnsignedBytes lab = Idx.read(labels, 1, labelsName);
        int n = img.dim(0);
        if (lab.dim(0) != n) {
            throw new IdxFormatException(labelsName + " holds " + lab.dim(0) + " labels but "
                    + imagesName + " holds " + n + " images");
        }
        if (img.dim(1) == 0 || img.dim(2) == 0) {
            throw new IdxFormatException(imagesName + ": empty images " + Arrays.toString(img.dims()));
        }
        for (int i = 0; i < n; i++) {
            if (lab.get(i) >= CLASSES) {
                throw new IdxFormatException(labelsName + ": label " + lab.get(i) + " at index " + i
                        + " is not a class 0.." + (CLASSES - 1));
            }
        }
        return new MnistDataset(img.data(), lab.data(), 0, n, img.dim(1), img.dim(2));
    }

    public int size() {
        return count;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The class of image {@code i}. */
    public int label(int i) {
        return labels[offset + Objects.checkIndex(i, count)];
    }

    /** All labels of this dataset, a fresh array. */
    public int[] labels() {
        int[] out = new int[count];
        for (int i = 0; i < count; i++) out[i] = labels[offset + i];
        return out;
    }

    /** Pixel {@code (r, c)} of image {@code i} as stored, 0..255. */
    public int pixel(int i, int r, int c) {
        Objects.checkIndex(r, rows);
        Objects.checkIndex(c, cols);
        return pixels[(offset + Objects.checkIndex(i, count)) * rows * cols + r * cols + c] & 0xff;
    }

    /** The images as a new float tensor {@code [N, 1, rows, cols]} in {@code arena}. */
    public Tensor images(Arena arena, Normalization norm) {
        Tensor t = Tensor.allocate(arena, Shape.of(count, 1, rows, cols));
        // A table of the 256 possible values keeps the result identical to (b/255 - mean)/std
        // computed once per grey level, whatever the loop order.
        float[] table = new float[256];
        for (int b = 0; b < 256; b++) {
            table[b] = (float) ((b / 255.0 - norm.mean()) / norm.std());
        }
        MemorySegment seg = t.segment();
        long base = (long) offset * rows * cols;
        for (long i = 0, n = t.size(); i < n; i++) {
            seg.setAtIndex(Tensor.FLOAT, i, table[pixels[(int) (base + i)] & 0xff]);
        }
        return t;
    }

    /** The images with values in 0..1. */
    public Tensor images(Arena arena) {
        return images(arena, Normalization.NONE);
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive) of this dataset; no copy. */
    public MnistDataset slice(int from, int to) {
        Objects.checkFromToIndex(from, to, count);
        return new MnistDataset(pixels, labels, offset + from, to - from, rows, cols);
    }

    /** The first {@code trainCount} images for training, the rest held out. */
    public Split split(int trainCount) {
        if (trainCount < 0 || trainCount > count) {
            throw new IllegalArgumentException("cannot take " + trainCount
                    + " training images from a dataset of " + count);
        }
        return new Split(slice(0, trainCount), slice(trainCount, count));
    }

    /**
     * The standard split of the shipped 10,000 digits: {@value #TRAIN_COUNT} training,
     * {@value #TEST_COUNT} held out. Throws if this dataset does not hold exactly 10,000.
     */
    public Split split() {
        if (count != TRAIN_COUNT + TEST_COUNT) {
            throw new IllegalStateException("the standard split needs " + (TRAIN_COUNT + TEST_COUNT)
                    + " images, this dataset holds " + count + "; use split(trainCount)");
        }
        return split(TRAIN_COUNT);
    }

    @Override
    public String toString() {
        return "MnistDataset[" + count + " × " + rows + "×" + cols + "]";
    }
}
