package dev.panamacnn.tools;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * An image file as a model input {@code [1, C, H, W]}: decode (PNG, JPEG, … via ImageIO), scale
 * to [0, 1], normalise each channel by (v − mean) / std.
 *
 * <ul>
 * <li>3 channels (RGB), torchvision's classification preprocessing: resize so the shorter side
 *     is {@code resize} pixels (bilinear), center-crop to H×W.
 * <li>1 channel (grey): the luminance 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, PIL's {@code "L"};
 *     a grey file's stored levels are taken as they are), optionally inverted (1 − v, for dark
 *     strokes on a light ground when the model learnt light on dark, as MNIST's), then the whole
 *     image resized to H×W (antialiased bilinear) — or, with {@code resize} > 0, the shorter side
 *     to {@code resize} and a center crop, as for RGB.
 * </ul>
 */
final class ImageInput {
    private ImageInput() {}

    /**
     * How to prepare the image. {@code resize}: shorter side before the center crop, 0 to scale the
     * whole image to H×W (grey only). {@code mean}/{@code std}: one value per model channel.
     */
    record Preprocessing(int resize, float[] mean, float[] std, boolean invert) {}

    static Tensor load(Path file, Shape input, Preprocessing p, Arena arena) throws IOException {
        if (input.rank() != 4 || input.dim(0) != 1 || (input.dim(1) != 1 && input.dim(1) != 3)) {
            throw new IllegalArgumentException("--image needs a model with input [1, 3, H, W] or [1, 1, H, W], this one takes " + input);
        }
        int channels = input.dim(1);
        if (p.mean().length != channels || p.std().length != channels) {
            throw new IllegalArgumentException("the model takes " + channels + " channel(s): --mean and --std need "
                    + channels + " value(s) each, got " + p.mean().length + " and " + p.std().length);
        }
        if (p.resize() < 0 || (channels == 3 && p.resize() == 0)) {
            throw new IllegalArgumentException("--resize must be > 0, got " + p.resize());
        }
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) throw new IOException(file + ": not an image ImageIO can decode (PNG, JPEG, BMP, GIF)");
        return channels == 3 ? rgb(img, input, p, arena) : grey(img, input, p, arena);
    }

    private static Tensor rgb(BufferedImage img, Shape input, Preprocessing p, Arena arena) {
        int h = input.dim(2), w = input.dim(3);
        int shorter = Math.max(p.resize(), Math.max(h, w));
        double scale = (double) shorter / Math.min(img.getWidth(), img.getHeight());
        int rw = Math.max(w, (int) Math.round(img.getWidth() * scale)), rh = Math.max(h, (int) Math.round(img.getHeight() * scale));
        BufferedImage resized = new BufferedImage(rw, rh, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = resized.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, rw, rh, null);
        g.dispose();
        int x0 = (rw - w) / 2, y0 = (rh - h) / 2;
        Tensor t = Tensor.allocate(arena, input);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = resized.getRGB(x0 + x, y0 + y);
                for (int c = 0; c < 3; c++) {
                    float v = ((rgb >> (16 - 8 * c)) & 0xff) / 255f;
                    float n = p.invert() ? 1 - v : v;
                    t.set((n - p.mean()[c]) / p.std()[c], 0, c, y, x);
                }
            }
        }
        return t;
    }

    private static Tensor grey(BufferedImage img, Shape input, Preprocessing p, Arena arena) {
        int h = input.dim(2), w = input.dim(3), iw = img.getWidth(), ih = img.getHeight();
        float[] plane = levels(img);
        if (p.invert()) for (int i = 0; i < plane.length; i++) plane[i] = 1 - plane[i];
        float[] out;
        if (p.resize() == 0) {
            out = Resample.bilinear(plane, iw, ih, w, h);
        } else {
            int shorter = Math.max(p.resize(), Math.max(h, w));
            double scale = (double) shorter / Math.min(iw, ih);
            int rw = Math.max(w, (int) Math.round(iw * scale)), rh = Math.max(h, (int) Math.round(ih * scale));
            float[] resized = Resample.bilinear(plane, iw, ih, rw, rh);
            int x0 = (rw - w) / 2, y0 = (rh - h) / 2;
            out = new float[h * w];
            for (int y = 0; y < h; y++) System.arraycopy(resized, (y0 + y) * rw + x0, out, y * w, w);
        }
        Tensor t = Tensor.allocate(arena, input);
        for (int i = 0; i < out.length; i++) t.setFlat(i, (out[i] - p.mean()[0]) / p.std()[0]);
        return t;
    }

    /** Grey levels in [0, 1], row-major: a one-band raster's samples as stored, else the RGB luminance. */
    private static float[] levels(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        float[] v = new float[w * h];
        Raster r = img.getRaster();
        if (r.getNumBands() == 1 && !(img.getColorModel() instanceof IndexColorModel)) {
            // Reading samples directly: getRGB would colour-convert a grey image (linear to sRGB).
            float max = (1 << img.getColorModel().getComponentSize(0)) - 1;
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) v[y * w + x] = r.getSample(x, y, 0) / max;
            return v;
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                v[y * w + x] = (0.299f * ((rgb >> 16) & 0xff) + 0.587f * ((rgb >> 8) & 0xff) + 0.114f * (rgb & 0xff)) / 255f;
            }
        }
        return v;
    }
}
