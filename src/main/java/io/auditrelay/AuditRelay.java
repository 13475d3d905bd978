package io.auditrelay;

import io.auditrelay.command.AstraSetupCommand;
import org.apache.camel.main.Main;

import java.util.Arrays;

/**
 * Starts the relay: {@code java -jar target/audit-relay.jar}. Beans come from
 * the configuration classes and routes from {@code routes/*.yaml}, all named in {@code application.properties}.
 * A first argument naming a command runs that command instead ({@code astra-setup}, see io.auditrelay.command).
 */
public final class AuditRelay {

    private AuditRelay() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && AstraSetupCommand.NAME.equals(args[0])) {
            System.exit(AstraSetupCommand.fromEnvironment().run(Arrays.copyOfRange(args, 1, args.length)));
        }
        Main main = new Main();
        System.exit(main.run(args));
    }
}
