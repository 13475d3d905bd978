package io.auditrelay;

import io.auditrelay.spine.OnceCoordinator;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.main.MainSupport;

/**
 * The exit code of a run: 1 when a {@code relay.once} run stopped because a source failed
 * ({@link OnceCoordinator#failed}), else 0. Listens to the Main, since its context is gone once it returned.
 */
public final class RunOutcome extends MainListenerSupport {

    private volatile OnceCoordinator coordinator;

    private RunOutcome() {
    }

    public static RunOutcome of(MainSupport main) {
        RunOutcome outcome = new RunOutcome();
        main.addMainListener(outcome);
        return outcome;
    }

    @Override
    public void afterStart(BaseMainSupport main) {
        coordinator = main.getCamelContext().getRegistry().lookupByNameAndType("onceCoordinator", OnceCoordinator.class);
    }

    public int exitCode() {
        OnceCoordinator c = coordinator;
        return c != null && c.failure() != null ? 1 : 0;
    }
}
