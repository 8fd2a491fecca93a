package dev.panamacnn.tools;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.Tensor;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * torchvision's classification preprocessing: decode (PNG, JPEG, … via ImageIO), resize so the
 * shorter side is {@code resize} pixels (bilinear), center-crop to the model's H×W, scale to
 * [0, 1], normalise each channel by (v − mean) / std, lay out as NCHW RGB.
 */
final class ImageInput {
    private ImageInput() {}

    static Tensor load(Path file, Shape input, int resize, float[] mean, float[] std, Arena arena) throws IOException {
        if (input.rank() != 4 || input.dim(0) != 1 || input.dim(1) != 3) {
            throw new IllegalArgumentException("--image needs a model with input [1, 3, H, W], this one takes " + input);
        }
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) throw new IOException(file + ": not an image ImageIO can decode (PNG, JPEG, BMP, GIF)");
        int h = input.dim(2), w = input.dim(3);
        int shorter = Math.max(resize, Math.max(h, w));
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
                    t.set((v - mean[c]) / std[c], 0, c, y, x);
                }
            }
        }
        return t;
    }
}
