package dev.panamacnn.tools.training;

import dev.panamacnn.core.data.MnistDataset;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The 10,000 MNIST digits shipped in this module ({@code dev/panamacnn/tools/mnist}, see the
 * README there for provenance, licence and split), or the same two files from a directory.
 */
public final class MnistResources {
    public static final String IMAGES = "mnist-10k-images-idx3-ubyte.gz";
    public static final String LABELS = "mnist-10k-labels-idx1-ubyte.gz";
    private static final String DIR = "/dev/panamacnn/tools/mnist/";

    private MnistResources() {}

    /** The shipped digits, read from the tools jar (or class path). */
    public static MnistDataset load() throws IOException {
        try (InputStream images = open(IMAGES); InputStream labels = open(LABELS)) {
            return MnistDataset.read(images, DIR + IMAGES, labels, DIR + LABELS);
        }
    }

    /** {@value #IMAGES} and {@value #LABELS} from {@code dir}. */
    public static MnistDataset load(Path dir) throws IOException {
        return MnistDataset.read(dir.resolve(IMAGES), dir.resolve(LABELS));
    }

    private static InputStream open(String name) throws IOException {
        InputStream in = MnistResources.class.getResourceAsStream(DIR + name);
        if (in == null) {
            throw new IOException("resource " + DIR + name + " is missing from the tools module"
                    + " (rebuild with ./mvnw -pl tools -am package)");
        }
        return in;
    }
}
