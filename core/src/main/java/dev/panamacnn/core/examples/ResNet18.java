package dev.panamacnn.core.examples;

import dev.panamacnn.core.Shape;
import dev.panamacnn.core.layers.Act;
import dev.panamacnn.core.layers.BatchNorm;
import dev.panamacnn.core.layers.Conv2d;
import dev.panamacnn.core.layers.Flatten;
import dev.panamacnn.core.layers.GlobalPool;
import dev.panamacnn.core.layers.Layer;
import dev.panamacnn.core.layers.Linear;
import dev.panamacnn.core.layers.Pool2d;
import dev.panamacnn.core.layers.Residual;
import dev.panamacnn.core.layers.Sequential;
import dev.panamacnn.core.ops.Activation;

/**
 * ResNet-18 (He et al. 2016) for 3×224×224 images, laid out exactly as torchvision's
 * {@code resnet18}: same layers, same variable names ({@code layer1.0.conv1.weight}), so a
 * torchvision {@code state_dict} loads by name. 11,689,512 trainable parameters.
 */
public final class ResNet18 {
    /** One RGB 224×224 image. */
    public static final Shape INPUT = Shape.of(1, 3, 224, 224);

    private ResNet18() {}

    public static Sequential build() {
        return build(1000);
    }

    public static Sequential build(int classes) {
        return Sequential.builder()
                .add("conv1", Conv2d.of(3, 64, 7).stride(2).padding(3).noBias())
                .add("bn1", BatchNorm.of(64))
                .add("relu", Act.relu())
                .add("maxpool", Pool2d.max(3, 2, 1))
                .add("layer1", stage(64, 64, 1))
                .add("layer2", stage(64, 128, 2))
                .add("layer3", stage(128, 256, 2))
                .add("layer4", stage(256, 512, 2))
                .add("avgpool", GlobalPool.avg())
                .add("flatten", new Flatten())
                .add("fc", Linear.of(512, classes))
                .build();
    }

    /** Two BasicBlocks; the first may downsample (stride 2) and widen, with a 1×1 projection. */
    private static Sequential stage(int in, int out, int stride) {
        return Sequential.of(basicBlock(in, out, stride), basicBlock(out, out, 1));
    }

    /** relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)). */
    public static Residual basicBlock(int in, int out, int stride) {
        Layer body = Sequential.builder()
                .add("conv1", Conv2d.of(in, out, 3).stride(stride).padding(1).noBias())
                .add("bn1", BatchNorm.of(out))
                .add("relu", Act.relu())
                .add("conv2", Conv2d.of(out, out, 3).padding(1).noBias())
                .add("bn2", BatchNorm.of(out))
                .build();
        if (stride == 1 && in == out) {
            return Residual.identity(body, Activation.RELU);
        }
        Layer projection = Sequential.of(Conv2d.of(in, out, 1).stride(stride).noBias(), BatchNorm.of(out));
        return Residual.projected(body, projection, Activation.RELU);
    }
}
