package io.auditrelay.mapper;

import io.auditrelay.event.Activity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Token-based classification of a vendor action into an {@link Activity}, used for CockroachDB and as
 * the fallback for any vendor type that no mapper table lists.
 *
 * <p>The action is split into upper-case words (on non-alphanumerics and camelCase boundaries). The
 * first matching category wins, in this order: login, logout, grant, revoke, enable, disable, delete,
 * create, update, read; otherwise {@link Activity#OTHER}.
 */
public final class Activities {

    private static final Pattern CAMEL_CASE = Pattern.compile("([a-z0-9])([A-Z])");
    private static final Pattern NOT_WORD = Pattern.compile("[^A-Z0-9]+");

    private static final List<Map.Entry<Activity, Set<String>>> VERBS = List.of(
            Map.entry(Activity.LOGIN, Set.of("LOGIN", "SIGNIN", "LOGON")),
            Map.entry(Activity.LOGOUT, Set.of("LOGOUT", "SIGNOUT", "LOGOFF")),
            Map.entry(Activity.GRANT, Set.of("GRANT", "GRANTED", "ASSIGN", "ASSIGNED")),
            Map.entry(Activity.REVOKE, Set.of("REVOKE", "REVOKED", "UNASSIGN", "UNASSIGNED")),
            Map.entry(Activity.ENABLE, Set.of("ENABLE", "ENABLED", "ACTIVATE", "ACTIVATED", "RESUME", "RESUMED")),
            Map.entry(Activity.DISABLE, Set.of("DISABLE", "DISABLED", "DEACTIVATE", "DEACTIVATED", "PAUSE",
                    "PAUSED", "SUSPEND", "SUSPENDED", "LOCK", "LOCKED")),
            Map.entry(Activity.DELETE, Set.of("DELETE", "DELETED", "REMOVE", "REMOVED", "DROP", "DROPPED",
                    "TERMINATE", "TERMINATED", "DESTROY", "DESTROYED", "PURGE", "EMPTY", "EMPTIED")),
            Map.entry(Activity.CREATE, Set.of("CREATE", "CREATED", "NEW", "ADD", "ADDED", "GENERATE", "GENERATED",
                    "INVITE", "INVITED", "PROVISION", "COPY", "CLONE", "INSERT")),
            Map.entry(Activity.UPDATE, Set.of("UPDATE", "UPDATED", "SET", "EDIT", "EDITED", "MODIFY", "MODIFIED",
                    "CHANGE", "CHANGED", "UPSERT", "UPSERTED", "REPLACE", "RENAME", "RESET", "RESTART", "RESTARTED",
                    "CONFIGURE", "CONFIGURED")),
            Map.entry(Activity.READ, Set.of("GET", "LIST", "READ", "VIEW", "VIEWED", "EXPORT", "BROWSE", "BROWSED",
                    "DESCRIBE", "DOWNLOAD", "FETCH")));

    private Activities() {
    }

    /** Classifies an action by its words; null or blank gives {@link Activity#OTHER}. */
    public static Activity fromTokens(String action) {
        List<String> words = words(action);
        if (containsPair(words, "ADD", "ROLE")) {
            return Activity.GRANT;
        }
        if (containsPair(words, "REMOVE", "ROLE")) {
            return Activity.REVOKE;
        }
        for (Map.Entry<Activity, Set<String>> verb : VERBS) {
            for (String word : words) {
                if (verb.getValue().contains(word)) {
                    return verb.getKey();
                }
            }
        }
        return Activity.OTHER;
    }

    /** Looks the action up in a vendor table, falling back to {@link #fromTokens(String)}. */
    public static Activity lookup(Map<String, Activity> table, String action) {
        Activity known = action == null ? null : table.get(action);
        if (known != null || action == null) {
            return known != null ? known : fromTokens(null);
        }
        Activity classified = CLASSIFIED.get(action);
        if (classified == null) {
            classified = fromTokens(action);
            if (action.length() <= MAX_CLASSIFIED_LENGTH && CLASSIFIED.size() < MAX_CLASSIFIED) {
                CLASSIFIED.put(action, classified);
            }
        }
        return classified;
    }

    /**
     * Actions that no table lists, classified once ({@link #fromTokens} splits with regular expressions): a vendor's
     * actions are a small vocabulary, and at most this many, of at most {@link #MAX_CLASSIFIED_LENGTH} characters,
     * are kept against odd input.
     */
    private static final int MAX_CLASSIFIED = 10_000;
    /** Longer actions (hostile input can reach relay.input.max-field-length) are classified but not kept. */
    private static final int MAX_CLASSIFIED_LENGTH = 200;
    private static final Map<String, Activity> CLASSIFIED = new ConcurrentHashMap<>();

    /** Splits {@code AUDIT_LOG_ACTION_CREATE_CLUSTER}, {@code topic.ProducedRecord} etc. into upper-case words. */
    static List<String> words(String action) {
        List<String> words = new ArrayList<>();
        if (action == null) {
            return words;
        }
        String spaced = CAMEL_CASE.matcher(action).replaceAll("$1 $2").toUpperCase(Locale.ROOT);
        for (String word : NOT_WORD.split(spaced)) {
            if (!word.isEmpty()) {
                words.add(word);
            }
        }
        return words;
    }

    private static boolean containsPair(List<String> words, String first, String second) {
        for (int i = 0; i + 1 < words.size(); i++) {
            if (words.get(i).equals(first) && words.get(i + 1).equals(second)) {
                return true;
            }
        }
        return false;
    }
}
