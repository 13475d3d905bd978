package io.auditrelay.mapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.auditrelay.event.Activity;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.Outcome;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Maps an Astra audit record: a row of the portal's CSV download (every column a string, {@code event}
 * a JSON string) or a message streamed to Pulsar ({@code event} an object or a JSON string).
 *
 * <p>Astra records carry no id, so the id is {@code astra:} plus the SHA-256 of
 * {@code userID|eventTime|eventType|actionResult|canonical(event)}, with the time normalized (in the shortest
 * ISO-8601 form, as in schema 1.0, so ids stay stable) and the event parsed, so a CSV row and the streamed
 * message of the same event get the same id.
 */
public final class AstraMapper implements VendorMapper {

    public static final String VENDOR = "astra";

    /** Cloned per id: cheaper than a provider lookup per record, and a clone is not shared between threads. */
    private static final MessageDigest SHA_256;

    static {
        try {
            SHA_256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Activity of every documented Astra event type. */
    static final Map<String, Activity> ACTIVITIES = Map.ofEntries(
            Map.entry("ACCEPT_USER_TO_ORGANIZATION", Activity.CREATE),
            Map.entry("ADD_SAML_IDP", Activity.CREATE),
            Map.entry("CDC_ENABLED", Activity.ENABLE),
            Map.entry("COPY_ROLE", Activity.CREATE),
            Map.entry("CP_ACL_DELETED", Activity.DELETE),
            Map.entry("CREATE_ACCESS_LIST", Activity.CREATE),
            Map.entry("CREATE_ORG", Activity.CREATE),
            Map.entry("CREATE_ROLE", Activity.CREATE),
            Map.entry("CREATE_USER", Activity.CREATE),
            Map.entry("CUSTOM_DNS_ENABLED", Activity.ENABLE),
            Map.entry("CUSTOM_DNS_ADDED", Activity.CREATE),
            Map.entry("DB_CREATED", Activity.CREATE),
            Map.entry("DB_DELETED", Activity.DELETE),
            Map.entry("DELETE_IDP", Activity.DELETE),
            Map.entry("DELETE_ORG", Activity.DELETE),
            Map.entry("DELETE_ROLE", Activity.DELETE),
            Map.entry("DELETE_TOKEN_FOR_CLIENT", Activity.DELETE),
            Map.entry("DELETE_USER", Activity.DELETE),
            Map.entry("DISABLE_IDP", Activity.DISABLE),
            Map.entry("DISABLE_ORG_SSO", Activity.DISABLE),
            Map.entry("DP_ACL_CREATED", Activity.CREATE),
            Map.entry("DP_ACL_DELETED", Activity.DELETE),
            Map.entry("DP_ACL_MODIFIED", Activity.UPDATE),
            Map.entry("ENABLE_IDP", Activity.ENABLE),
            Map.entry("ENABLE_ORG_SSO", Activity.ENABLE),
            Map.entry("GENERATE_TOKEN_FOR_CLIENT", Activity.CREATE),
            Map.entry("INVITE_USER_TO_ORGANIZATION", Activity.CREATE),
            Map.entry("KEYSPACE_CREATED", Activity.CREATE),
            Map.entry("KEYSPACE_DELETED", Activity.DELETE),
            Map.entry("LAUNCHED_CQLSH", Activity.READ),
            Map.entry("METRICS_EXPORT_CONFIGURED", Activity.CREATE),
            Map.entry("METRICS_EXPORT_DELETED", Activity.DELETE),
            Map.entry("MR_ADDED", Activity.CREATE),
            Map.entry("PE_CONFIGURED", Activity.CREATE),
            Map.entry("PE_DELETED", Activity.DELETE),
            Map.entry("PREP_NEW_IDP", Activity.CREATE),
            Map.entry("PROVISION_SSO_USER_INTO_ORGANIZATION", Activity.CREATE),
            Map.entry("REMOVE_USER_FROM_ORG", Activity.REVOKE), // the user's membership ends; the account stays
            Map.entry("REPLACE_EXISTING_LIST", Activity.UPDATE),
            Map.entry("REVOKE_INVITATION", Activity.REVOKE),
            Map.entry("UPDATE_IDP", Activity.UPDATE),
            Map.entry("UPDATE_ROLE", Activity.UPDATE));

    private static final Set<String> FAILURES = Set.of("FAILURE", "FAILED", "ERROR", "DENIED");

    private static final String[] RESOURCE_ID_KEYS = {
        "databaseId", "databaseID", "dbId", "dbID", "roleId", "roleID", "tokenId", "clientId", "idpId", "idpID",
        "endpointId", "userId", "userID", "id", "keyspaceName", "name"};

    private static final String[] RESOURCE_NAME_KEYS = {
        "name", "databaseName", "dbName", "keyspaceName", "roleName", "domain", "domainName"};

    /** Events that act on the organization itself though their words name SSO. */
    private static final java.util.Set<String> ORG_SSO = java.util.Set.of("ENABLE_ORG_SSO", "DISABLE_ORG_SSO");

    private static final String[] ORG_KEYS = {"orgId", "orgID", "organizationId", "organizationID"};

    @Override
    public String vendor() {
        return VENDOR;
    }

    /** The Astra Portal's "Download as CSV" export. */
    @Override
    public List<String> csvColumns() {
        return List.of("typename", "actionResult", "userID", "event", "eventTime", "eventType");
    }

    @Override
    public AuditEvent map(JsonNode record, MappingContext context) {
        Fields.requireObject(record);
        String eventType = Fields.required(record, "eventType");
        Instant instant = eventTime(record.get("eventTime"));
        String time = Timestamps.format(instant);
        String userId = Fields.text(record, "userID");
        String actionResult = Fields.text(record, "actionResult");
        JsonNode event = event(record.get("event"));
        String org = Fields.firstDeep(event, ORG_KEYS);
        AuditEvent mapped = new AuditEvent(
                VENDOR + ":" + id(event, nz(userId), Timestamps.formatShortest(instant), eventType, nz(actionResult)),
                time,
                Fields.received(context),
                VENDOR,
                eventType,
                Activities.lookup(ACTIVITIES, eventType),
                outcome(actionResult),
                new AuditEvent.Actor(userId, Fields.first(event, "email", "userEmail")),
                new AuditEvent.Resource(resourceType(eventType), Fields.firstDeep(event, RESOURCE_ID_KEYS),
                        Fields.firstDeep(event, RESOURCE_NAME_KEYS)),
                org != null ? org : Fields.defaultOrg(context),
                record);
        return extras(userId, event, mapped.resource()).addTo(mapped);
    }

    /**
     * A user when {@code userID} is set (Astra records only users); the database of a keyspace as its parent;
     * the client IP and user agent where the event payload holds them.
     */
    static Extras extras(String userId, JsonNode event, AuditEvent.Resource resource) {
        String database = Fields.firstDeep(event, "databaseId", "databaseID", "dbId", "dbID");
        boolean inDatabase = "keyspace".equals(resource.type()) || "table".equals(resource.type());
        return new Extras()
                .actorType(userId != null ? AuditEvent.Actor.USER : null)
                .resourceParent(inDatabase ? database : null)
                .srcIp(Fields.srcIp(event))
                .userAgent(Fields.userAgent(event));
    }

    /**
     * The event payload as JSON: an object or array as given; a string holding JSON parsed; any other
     * string as a JSON string. A string that starts like JSON but does not parse is rejected.
     */
    static JsonNode event(JsonNode event) {
        if (event == null || event.isMissingNode() || event.isNull()) {
            return NullNode.instance;
        }
        if (!event.isTextual()) {
            return event;
        }
        String text = event.asText().trim();
        if (text.isEmpty()) {
            return NullNode.instance;
        }
        if (!text.startsWith("{") && !text.startsWith("[")) {
            return TextNode.valueOf(event.asText());
        }
        try {
            return Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new MappingException("event", "malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** ISO-8601 text ({@code Z} assumed when no zone is given) or, from a stream, epoch milliseconds. */
    static Instant eventTime(JsonNode value) {
        if (value != null && value.isIntegralNumber()) {
            return Instant.ofEpochMilli(value.asLong());
        }
        return Timestamps.parseUtc("eventTime", Fields.text(value));
    }

    static Outcome outcome(String actionResult) {
        if (actionResult == null) {
            return Outcome.UNKNOWN;
        }
        String result = actionResult.trim().toUpperCase(Locale.ROOT);
        if (result.equals("SUCCESS")) {
            return Outcome.SUCCESS;
        }
        return FAILURES.contains(result) ? Outcome.FAILURE : Outcome.UNKNOWN;
    }

    /** The resource kind an event type acts on, from its words; null when none is recognizable. */
    static String resourceType(String eventType) {
        if (ORG_SSO.contains(eventType)) {
            return "organization"; // the organization's SSO switched on or off, not one IdP configuration
        }
        List<String> words = Activities.words(eventType);
        String first = words.isEmpty() ? "" : words.get(0);
        if (first.equals("DB") || first.equals("MR") || words.contains("CDC") || words.contains("CQLSH")) {
            return "database";
        }
        if (words.contains("KEYSPACE")) {
            return "keyspace";
        }
        if (words.contains("ROLE")) {
            return "role";
        }
        if (words.contains("INVITATION") || words.contains("INVITE")) {
            return "invitation";
        }
        if (words.contains("USER")) {
            return "user";
        }
        if (words.contains("IDP") || words.contains("SSO")) {
            return "sso_idp";
        }
        if (words.contains("TOKEN")) {
            return "token";
        }
        if (words.contains("ACL") || eventType.contains("ACCESS_LIST") || eventType.contains("EXISTING_LIST")) {
            return "access_list";
        }
        if (words.contains("DNS")) {
            return "custom_domain";
        }
        if (eventType.contains("METRICS_EXPORT")) {
            return "metrics_export";
        }
        if (first.equals("PE")) {
            return "private_endpoint";
        }
        if (words.contains("ORG") || words.contains("ORGANIZATION")) {
            return "organization";
        }
        return null;
    }

    private static String nz(String value) {
        return value == null ? "" : value;
    }

    /** The SHA-256 (hex) of {@code field|field|...|canonical(event)} in UTF-8. */
    private static String id(JsonNode event, String... fields) {
        MessageDigest digest = sha256();
        for (String field : fields) {
            digest.update(field.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) '|');
        }
        digest.update(Json.canonical(event).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the SHA-256 digest cannot be cloned", e);
        }
    }
}
