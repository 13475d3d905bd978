package io.auditrelay.source.astra;

import io.auditrelay.config.Settings;
import io.auditrelay.spine.OnceCoordinator;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.StartupListener;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.pulsar.PulsarComponent;
import org.apache.pulsar.client.api.PulsarClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The Astra DB audit source on Pulsar (Astra Streaming). When {@code relay.source.astra.enabled=true}: builds the
 * {@link PulsarClient} itself (service URL with its {@code +}, token or OAuth2 authentication; nothing secret in an
 * endpoint URI) and sets it on the {@code pulsar} component, binds {@code astraPulsar} ({@link AstraPulsarSource})
 * and adds one route per topic from the template {@code astra-pulsar} of routes/source-astra-pulsar.yaml
 * (route ids {@code source-astra-pulsar}, {@code source-astra-pulsar-2}, ...). Disabled: no client, no route.
 */
@Configuration
public class AstraPulsarConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(AstraPulsarConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        if (!settings.bool("relay.source.astra.enabled", false)) {
            return;
        }
        AstraPulsarSettings astra = AstraPulsarSettings.read(settings::optional).validate();
        PulsarClient client = astra.client();
        context.getComponent("pulsar", PulsarComponent.class).setPulsarClient(client);
        OnceCoordinator coordinator = context.getRegistry().lookupByNameAndType("onceCoordinator", OnceCoordinator.class);
        AstraPulsarSource source = new AstraPulsarSource(client, coordinator,
                settings.integer("relay.source.astra.idle-timeout", 3000));
        context.getRegistry().bind("astraPulsar", source);
        context.getRegistry().bind("astraPulsarClient", client);
        context.addService(source, true, true);
        if (coordinator != null) {
            coordinator.expect(AstraPulsarSource.SOURCE);
        }
        LOG.info("Astra source: {}", astra.describe());

        List<String> topics = astra.topics();
        AstraPulsarHealthCheck check = new AstraPulsarHealthCheck(client, topics);
        check.setCamelContext(context);
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(check);
        }
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext ctx, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext ctx, boolean alreadyStarted) {
                String problem = check.checkAtStart();
                if (problem != null && coordinator != null) {
                    coordinator.failed(AstraPulsarSource.SOURCE, problem);
                } else {
                    source.watchForDrain();
                }
            }
        });
        long nackDelayMicros = settings.integer("relay.source.astra.nack-redelivery-delay", 1000) * 1000L;
        context.getRegistry().bind("astraPulsarRoutes", new RouteBuilder() {
            @Override
            public void configure() {
                for (int i = 0; i < topics.size(); i++) {
                    templatedRoute("astra-pulsar")
                            .routeId(i == 0 ? "source-astra-pulsar" : "source-astra-pulsar-" + (i + 1))
                            .parameter("topic", topics.get(i))
                            .parameter("subscription", astra.subscription())
                            .parameter("subscriptionType", astra.subscriptionTypeEnum())
                            .parameter("nackDelayMicros", String.valueOf(nackDelayMicros));
                }
            }
        });
    }
}
