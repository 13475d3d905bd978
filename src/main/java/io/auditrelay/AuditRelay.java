package io.auditrelay;

import io.auditrelay.command.ReplayDlqCommand;
import org.apache.camel.main.Main;

import java.util.Arrays;
import java.util.Map;

/**
 * Starts the relay: {@code java -jar target/audit-relay.jar}. Beans come from
 * the configuration classes and routes from {@code routes/*.yaml}, all named in {@code application.properties}.
 * A first argument naming a command runs that command instead: {@code replay-dlq [--sink <name>]}
 * ({@link ReplayDlqCommand}).
 */
public final class AuditRelay {

    private AuditRelay() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && ReplayDlqCommand.NAME.equals(args[0])) {
            System.exit(new ReplayDlqCommand(Map.of(), System.out).run(Arrays.copyOfRange(args, 1, args.length)));
        }
        Main main = new Main();
        System.exit(main.run(args));
    }
}
