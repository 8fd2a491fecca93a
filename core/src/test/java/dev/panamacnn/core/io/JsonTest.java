package dev.panamacnn.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesObjectsArraysStringsAndIntegersInOrder() {
        Object v = Json.parse(" {\"b\": [1, -2, 0], \"a\": {\"s\": \"x\\u00fc\\\"\\\\\\/\\n\\ud83d\\ude00\"}, \"e\": []} \n ");
        assertEquals(Map.of("b", List.of(1L, -2L, 0L), "a", Map.of("s", "xü\"\\/\n😀"), "e", List.of()), v);
        assertEquals(List.of("b", "a", "e"), List.copyOf(((Map<?, ?>) v).keySet()));
    }

    @Test
    void quoteRoundTrips() {
        String s = "tab\t quote\" back\\ nul\u0000 ü 😀";
        assertEquals(s, Json.parse(Json.quote(s)));
        assertEquals("\"a\\u0001\"", Json.quote("a\u0001"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"a\": 1, \"a\": 2}         | duplicate key",
        "{\"a\": 1.5}                 | only integers",
        "{\"a\": 1e3}                 | only integers",
        "{\"a\": true}                | unexpected 't'",
        "{\"a\": 01}                  | leading zero",
        "{\"a\": 99999999999999999999} | out of range",
        "{\"a\": 1} x                 | after the JSON value",
        "{\"a\": 1,}                  | expected a string key",
        "{\"a\" 1}                    | expected ':'",
        "[1 2]                        | expected ',' or ']'",
        "\"\\x\"                      | unknown escape",
        "\"abc                        | end of input",
        "\"\\u12\"                    | \\u escape",
        "                             | end of input",
    })
    void rejectsWhatTheHeaderSchemaNeverHolds(String text, String message) {
        String msg = assertThrows(IllegalArgumentException.class, () -> Json.parse(text == null ? "" : text))
                .getMessage();
        assertTrue(msg.contains(message.strip()) && msg.contains("at offset"), msg);
    }

    @Test
    void rejectsRawControlCharactersAndDeepNesting() {
        assertThrows(IllegalArgumentException.class, () -> Json.parse("\"a\u0001\""));
        String deep = "[".repeat(Json.MAX_DEPTH + 2) + "]".repeat(Json.MAX_DEPTH + 2);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Json.parse(deep))
                .getMessage().contains("nesting"));
    }
}
