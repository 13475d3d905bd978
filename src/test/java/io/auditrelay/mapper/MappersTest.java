package io.auditrelay.mapper;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MappersTest {

    @Test
    void knowsEveryVendor() {
        assertThat(Mappers.vendors()).containsExactly("airkit", "astra", "cockroachdb", "conduktor");
        assertThat(Mappers.forVendor("astra")).isInstanceOf(AstraMapper.class);
        assertThat(Mappers.forVendor("cockroachdb")).isInstanceOf(CockroachDbMapper.class);
        assertThat(Mappers.forVendor("conduktor")).isInstanceOf(ConduktorMapper.class);
        assertThat(Mappers.forVendor("airkit")).isInstanceOf(AirkitMapper.class);
        assertThat(Mappers.all()).allSatisfy(m -> assertThat(Mappers.forVendor(m.vendor())).isSameAs(m));
    }

    @Test
    void unknownVendorIsRejected() {
        assertThatThrownBy(() -> Mappers.forVendor("splunk")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Mappers.forVendor(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
