package dev.panamacnn.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JsonLineTest {
    @Test
    void writesKeysInOrderWithEscapesAndNullForNonFiniteNumbers() {
        String json = new JsonLine().put("epochs", 5).put("test_accuracy", 0.98153, 4)
                .put("samples_per_s", 1234.5).put("model", "le\"net\\\n").put("ok", true)
                .put("loss", Double.NaN).put("none", (String) null).toString();
        assertEquals("{\"epochs\": 5, \"test_accuracy\": 0.9815, \"samples_per_s\": 1234.5,"
                + " \"model\": \"le\\\"net\\\\\\n\", \"ok\": true, \"loss\": null, \"none\": null}", json);
        assertEquals("{}", new JsonLine().toString());
        assertEquals("\"\\u0001\"", JsonLine.quote("\u0001"));
    }
}
