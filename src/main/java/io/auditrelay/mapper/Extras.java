package io.auditrelay.mapper;

import io.auditrelay.event.AuditEvent;

import java.util.LinkedHashMap;
import java.util.Map;

/** Collects what a mapper finds besides the schema 1.0 fields, then adds it to the event. */
final class Extras {

    private String actorType;
    private String onBehalfOf;
    private String resourceParent;
    private String sessionId;
    private String traceId;
    private String srcIp;
    private String userAgent;
    private String authMethod;
    private String serviceName;
    private String serviceVersion;
    private final Map<String, String> labels = new LinkedHashMap<>();

    Extras actorType(String value) {
        actorType = value;
        return this;
    }

    Extras onBehalfOf(String value) {
        onBehalfOf = value;
        return this;
    }

    Extras resourceParent(String value) {
        resourceParent = value;
        return this;
    }

    Extras session(String value) {
        sessionId = value;
        return this;
    }

    Extras trace(String value) {
        traceId = value;
        return this;
    }

    Extras srcIp(String value) {
        srcIp = value;
        return this;
    }

    Extras userAgent(String value) {
        userAgent = value;
        return this;
    }

    Extras authMethod(String value) {
        authMethod = value;
        return this;
    }

    Extras service(String name, String version) {
        serviceName = name;
        serviceVersion = version;
        return this;
    }

    /** A vendor attribute with no field of its own; a null value is left out. */
    Extras label(String name, String value) {
        if (value != null) {
            labels.put(name, value);
        }
        return this;
    }

    AuditEvent addTo(AuditEvent event) {
        return event.with(new AuditEvent.Context(actorType, onBehalfOf, resourceParent, sessionId, traceId, srcIp,
                userAgent, authMethod, serviceName, serviceVersion, labels));
    }
}
