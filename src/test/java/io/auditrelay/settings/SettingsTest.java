package io.auditrelay.settings;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class SettingsTest {

    @Test
    void properties_with_a_prefix_include_those_given_as_system_properties() throws Exception {
        String prefix = "relay.test-" + System.nanoTime() + ".kafka.";
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Properties initial = new Properties();
            initial.setProperty(prefix + "client.id", "from-the-file");
            initial.setProperty(prefix + "linger.ms", "5");
            context.getPropertiesComponent().setInitialProperties(initial);
            System.setProperty(prefix + "session.timeout.ms", "6000");
            System.setProperty(prefix + "linger.ms", "7");
            try {
                Properties found = Settings.withPrefix(context, prefix);
                assertThat(found.getProperty(prefix + "client.id")).isEqualTo("from-the-file");
                assertThat(found.getProperty(prefix + "session.timeout.ms")).as("-D given").isEqualTo("6000");
                assertThat(found.getProperty(prefix + "linger.ms")).as("-D wins").isEqualTo("7");
            } finally {
                System.clearProperty(prefix + "session.timeout.ms");
                System.clearProperty(prefix + "linger.ms");
            }
        }
    }
}
