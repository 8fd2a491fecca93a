package dev.panamacnn.tools;

import dev.panamacnn.core.plan.Backend;
import dev.panamacnn.core.plan.ReferenceBackend;
import dev.panamacnn.opencl.OpenClBackend;
import dev.panamacnn.simd.SimdBackends;

/** The backends the CLI can name. */
enum BackendChoice {
    reference {
        @Override
        Backend backend() {
            return ReferenceBackend.INSTANCE;
        }
    },
    simd {
        @Override
        Backend backend() {
            return SimdBackends.fastest();
        }
    },
    /** The device from {@code -Dpanamacnn.opencl.device=N|name}, else the first GPU, else the first device. */
    opencl {
        @Override
        synchronized Backend backend() {
            if (openCl == null) {
                openCl = OpenClBackend.create();
                // One backend per CLI process; its context is released when the process ends.
                Runtime.getRuntime().addShutdownHook(new Thread(openCl::close, "opencl-close"));
            }
            return openCl;
        }
    };

    private static OpenClBackend openCl;

    abstract Backend backend();
}
