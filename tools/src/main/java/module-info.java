/** The panama-cnn command line. */
module dev.panamacnn.tools {
    requires dev.panamacnn.core;
    requires dev.panamacnn.simd;
    requires dev.panamacnn.onnx;
    requires dev.panamacnn.opencl;
    requires info.picocli;
    requires java.desktop; // ImageIO for `run --image`; AWT for the training plot
    requires me.tongfei.progressbar; // training progress bars
    requires org.knowm.xchart; // training plot (automatic module)

    opens dev.panamacnn.tools to info.picocli;
}
