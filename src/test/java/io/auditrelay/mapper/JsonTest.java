package io.auditrelay.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonTest {

    @Test
    void canonicalSortsKeysRecursivelyWithoutWhitespace() throws Exception {
        JsonNode node = Json.MAPPER.readTree("{ \"b\": [ {\"z\": 1, \"a\": null} ], \"a\": { \"d\": true, \"c\": \"x y\" } }");

        assertThat(Json.canonical(node)).isEqualTo("{\"a\":{\"c\":\"x y\",\"d\":true},\"b\":[{\"a\":null,\"z\":1}]}");
    }

    @Test
    void canonicalIsIndependentOfKeyOrder() throws Exception {
        assertThat(Json.canonical(Json.MAPPER.readTree("{\"x\":1.50,\"y\":\"é\"}")))
                .isEqualTo(Json.canonical(Json.MAPPER.readTree("{\"y\":\"é\",\"x\":1.50}")));
    }

    @Test
    void canonicalRendersScalarsAndNull() {
        assertThat(Json.canonical(null)).isEqualTo("null");
        assertThat(Json.canonical(Json.MAPPER.getNodeFactory().textNode("a\"b"))).isEqualTo("\"a\\\"b\"");
    }
}
