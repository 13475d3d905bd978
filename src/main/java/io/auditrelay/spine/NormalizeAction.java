package io.auditrelay.spine;

import org.apache.camel.Exchange;

import java.time.Clock;

/**
 * The normalize step on its own, for Kamelet Pipes ({@code audit-normalize-action}): turns the vendor
 * record in the body (JSON text or a {@link SourceRecord}) into the canonical event. A record that
 * cannot be read fails the exchange with an {@link InvalidRecordException} naming the problem.
 */
public class NormalizeAction {

    private String vendor;
    private String org;
    private Normalizer normalizer;

    public void setVendor(String vendor) {
        this.vendor = vendor;
    }

    public void setOrg(String org) {
        this.org = org;
    }

    public void process(Exchange exchange) {
        if (exchange.getMessage().getHeader(Headers.VENDOR) == null) {
            exchange.getMessage().setHeader(Headers.VENDOR, vendor);
        }
        normalizer().normalizeOne(exchange);
    }

    private synchronized Normalizer normalizer() {
        if (normalizer == null) {
            Clock clock = Clock.systemUTC();
            normalizer = new Normalizer(org, clock, new RelayStats(clock));
        }
        return normalizer;
    }
}
