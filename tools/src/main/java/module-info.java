/** The panama-cnn command line. */
module dev.panamacnn.tools {
    requires dev.panamacnn.core;
    requires dev.panamacnn.simd;
    requires info.picocli;

    opens dev.panamacnn.tools to info.picocli;
}
