package io.auditrelay.command;

import org.apache.camel.main.Main;

/**
 * The Camel main of a command that delivers through the relay's spine and sinks (a replay, a backfill): only the
 * packaged spine route, no inboxes, and no management server, so it runs beside a relay on the same host (whose
 * port it would take) and sharing its state directory (the dedupe store, the S3 spool and the dead-letter store
 * allow that). Its progress goes to the log and its outcome to the command's output.
 */
final class SpineMain {

    private SpineMain() {
    }

    static Main create() {
        Main main = new Main();
        main.addOverrideProperty("relay.inbox.enabled", "false");
        main.addOverrideProperty("camel.management.enabled", "false");
        // only the spine and the sinks from the packaged routes: no inbox or source routes
        main.addOverrideProperty("camel.main.routes-include-pattern", "classpath:routes/ingest.yaml");
        return main;
    }
}
