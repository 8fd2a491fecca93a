/** panama-cnn core: off-heap tensors, the layer API, reference kernels (the specification), NPY/safetensors I/O and the MNIST loader. */
module dev.panamacnn.core {
    exports dev.panamacnn.core;
    exports dev.panamacnn.core.data;
    exports dev.panamacnn.core.io;
    exports dev.panamacnn.core.ops;
    exports dev.panamacnn.core.reference;
    exports dev.panamacnn.core.layers;
    exports dev.panamacnn.core.examples;
    exports dev.panamacnn.core.exec;
    exports dev.panamacnn.core.plan;
    exports dev.panamacnn.core.testing;
    exports dev.panamacnn.core.train;
}
