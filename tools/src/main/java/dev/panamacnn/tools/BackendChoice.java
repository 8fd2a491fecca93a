package dev.panamacnn.tools;

import dev.panamacnn.core.plan.Backend;
import dev.panamacnn.core.plan.ReferenceBackend;
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
    };

    abstract Backend backend();
}
