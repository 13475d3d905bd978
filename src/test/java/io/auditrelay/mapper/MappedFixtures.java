package io.auditrelay.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.event.AuditEvent;

import java.util.ArrayList;
import java.util.List;

/** Every vendor fixture mapped to canonical events, and one event per documented action of each vendor. */
public final class MappedFixtures {

    private MappedFixtures() {
    }

    /** The fixtures under src/test/resources/fixtures, mapped. */
    public static List<AuditEvent> fixtures() {
        List<AuditEvent> events = new ArrayList<>();
        Fixtures.csv("astra/audit-log.csv").forEach(r -> events.add(map("astra", r)));
        events.add(map("astra", Fixtures.json("astra/stream-event-object.json")));
        events.add(map("astra", Fixtures.json("astra/stream-event-string.json")));
        Fixtures.json("cockroachdb/auditlogevents.json").get("entries").forEach(r -> events.add(map("cockroachdb", r)));
        for (String name : List.of("kafka-topic-create", "old-type-topic-delete", "console-connector-paused",
                "console-application-approved")) {
            events.add(map("conduktor", Fixtures.json("conduktor/" + name + ".json")));
        }
        Fixtures.ndjson("airkit/events.ndjson").forEach(r -> events.add(map("airkit", r)));
        events.add(Mappers.forVendor("cockroachdb").map(Fixtures.json("cockroachdb/auditlogevents.json")
                .get("entries").get(0), new MappingContext(Fixtures.RECEIVED, null)));
        return events;
    }

    /**
     * One event for every action in the Astra, Conduktor and Airkit activity tables, built on a fixture record of
     * that vendor (the CockroachDB actions are classified by words, so a few typical ones stand for them).
     */
    public static List<AuditEvent> everyDocumentedAction() {
        List<AuditEvent> events = new ArrayList<>();
        for (String action : AstraMapper.ACTIVITIES.keySet()) {
            ObjectNode record = Fixtures.object("astra/stream-event-object.json");
            record.put("eventType", action);
            events.add(map("astra", record));
        }
        for (String action : ConduktorMapper.ACTIVITIES.keySet()) {
            ObjectNode record = Fixtures.object("conduktor/console-connector-paused.json");
            record.put("type", action);
            events.add(map("conduktor", record));
        }
        for (String crn : List.of("platform:/group/7a9e", "platform:/user/alice@example.com")) {
            for (String action : List.of("group.member.Added", "group.permission.Deleted", "user.permission.Added",
                    "user.Login", "user.Created", "user.Deleted", "group.Created")) {
                ObjectNode record = Fixtures.object("conduktor/console-connector-paused.json");
                record.put("type", action);
                record.put("source", crn);
                events.add(map("conduktor", record));
            }
        }
        for (String action : AirkitMapper.ACTIVITIES.keySet()) {
            ObjectNode record = Fixtures.ndjson("airkit/events.ndjson").get(0).deepCopy();
            record.put("EVENT_TYPE", action);
            events.add(map("airkit", record));
        }
        for (String action : List.of("AUDIT_LOG_ACTION_CREATE_CLUSTER", "AUDIT_LOG_ACTION_DELETE_SQL_USER",
                "AUDIT_LOG_ACTION_ADD_ROLE_TO_USER", "AUDIT_LOG_ACTION_LOGIN", "AUDIT_LOG_ACTION_LIST_CLUSTERS",
                "AUDIT_LOG_ACTION_SOMETHING_NEW")) {
            ObjectNode record = (ObjectNode) Fixtures.json("cockroachdb/auditlogevents.json").get("entries").get(0);
            record.put("action", action);
            events.add(map("cockroachdb", record));
        }
        return events;
    }

    private static AuditEvent map(String vendor, JsonNode record) {
        return Mappers.forVendor(vendor).map(record, Fixtures.CONTEXT);
    }
}
