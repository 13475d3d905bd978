package io.auditrelay;

import org.apache.camel.main.Main;

/**
 * Starts the relay: {@code java -jar target/audit-relay.jar}. Beans come from
 * the configuration classes and routes from {@code routes/*.yaml}, all named in {@code application.properties}.
 */
public final class AuditRelay {

    private AuditRelay() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        System.exit(main.run(args));
    }
}
