package io.auditrelay.ocsf;

import io.auditrelay.event.Activity;
import io.auditrelay.event.AuditEvent;

import java.util.Locale;
import java.util.Set;

/**
 * The OCSF class and activity of a canonical event, chosen by its activity and resource type. A class whose required
 * subject the event does not name (the user of an account change, the group of a group change, the entity of an
 * entity change) is not chosen: the event falls back to API Activity, so no required attribute is made up.
 *
 * @param uid          {@code class_uid}
 * @param categoryUid  {@code category_uid}
 * @param name         {@code class_name}
 * @param activityId   {@code activity_id}
 * @param activityName {@code activity_name}
 */
public record OcsfClass(int uid, int categoryUid, String name, int activityId, String activityName) {

    public static final int ACCOUNT_CHANGE = 3001;
    public static final int AUTHENTICATION = 3002;
    public static final int ENTITY_MANAGEMENT = 3004;
    public static final int USER_ACCESS = 3005;
    public static final int GROUP_MANAGEMENT = 3006;
    public static final int API_ACTIVITY = 6003;

    private static final Set<String> USER_TYPES = Set.of("user");
    private static final Set<String> GROUP_TYPES = Set.of("group", "application_group");

    /** {@code type_uid}: class uid times 100 plus the activity id. */
    public long typeUid() {
        return uid * 100L + activityId;
    }

    /** The class of the event. */
    public static OcsfClass of(AuditEvent event) {
        Activity activity = event.activity() == null ? Activity.OTHER : event.activity();
        String type = event.resource() == null || event.resource().type() == null ? null
                : event.resource().type().toLowerCase(Locale.ROOT);
        Set<String> action = words(event.action());
        boolean actorKnown = event.actor() != null && (event.actor().id() != null || event.actor().email() != null);
        boolean resourceKnown = event.resource() != null
                && (event.resource().id() != null || event.resource().name() != null);

        if (activity == Activity.LOGIN || activity == Activity.LOGOUT) {
            if (actorKnown) {
                return activity == Activity.LOGIN ? auth(1, "Logon") : auth(2, "Logoff");
            }
            return api(activity);
        }
        if (type != null && GROUP_TYPES.contains(type) && resourceKnown) {
            OcsfClass group = group(activity, action.contains("MEMBER"));
            if (group != null) {
                return group;
            }
        }
        if (type != null && USER_TYPES.contains(type) && resourceKnown) {
            if (activity == Activity.GRANT) {
                return new OcsfClass(USER_ACCESS, 3, "User Access Management", 1, "Assign Privileges");
            }
            if (activity == Activity.REVOKE) {
                return new OcsfClass(USER_ACCESS, 3, "User Access Management", 2, "Revoke Privileges");
            }
            OcsfClass change = accountChange(activity, action);
            if (change != null) {
                return change;
            }
        }
        if (actorKnown && (action.contains("PASSWORD") || action.contains("LOCK") || action.contains("LOCKED")
                || action.contains("UNLOCK") || action.contains("UNLOCKED"))) {
            OcsfClass change = accountChange(activity, action);
            if (change != null) {
                return change;
            }
        }
        if (resourceKnown && activity != Activity.GRANT && activity != Activity.REVOKE && activity != Activity.OTHER) {
            return entity(activity);
        }
        return api(activity);
    }

    /**
     * Whether the class's subject is the event's actor rather than its resource: a logon, or an account change (a
     * password change, a lock) whose resource is not a user.
     */
    static boolean subjectIsActor(OcsfClass cls, AuditEvent event) {
        return cls.uid == AUTHENTICATION || cls.uid == ACCOUNT_CHANGE && (event.resource() == null
                || event.resource().type() == null
                || !USER_TYPES.contains(event.resource().type().toLowerCase(Locale.ROOT)));
    }

    private static OcsfClass auth(int id, String name) {
        return new OcsfClass(AUTHENTICATION, 3, "Authentication", id, name);
    }

    /** The upper-case words of an action: split on anything not a letter or digit and at camelCase humps. */
    static Set<String> words(String action) {
        Set<String> words = new java.util.HashSet<>();
        if (action != null) {
            for (String word : action.replaceAll("([a-z0-9])([A-Z])", "$1 $2").split("[^A-Za-z0-9]+")) {
                if (!word.isEmpty()) {
                    words.add(word.toUpperCase(Locale.ROOT));
                }
            }
        }
        return words;
    }

    private static OcsfClass accountChange(Activity activity, Set<String> action) {
        int id;
        String name;
        if (action.contains("PASSWORD") && action.contains("RESET")) {
            id = 4;
            name = "Password Reset";
        } else if (action.contains("PASSWORD")) {
            id = 3;
            name = "Password Change";
        } else if (action.contains("MFA") && activity == Activity.ENABLE) {
            id = 10;
            name = "MFA Factor Enable";
        } else if (action.contains("MFA") && activity == Activity.DISABLE) {
            id = 11;
            name = "MFA Factor Disable";
        } else if (action.contains("UNLOCK") || action.contains("UNLOCKED")) {
            id = 12;
            name = "Unlock";
        } else if (action.contains("LOCK") || action.contains("LOCKED")) {
            id = 9;
            name = "Lock";
        } else {
            switch (activity) {
                case CREATE -> {
                    id = 1;
                    name = "Create";
                }
                case ENABLE -> {
                    id = 2;
                    name = "Enable";
                }
                case DISABLE -> {
                    id = 5;
                    name = "Disable";
                }
                case DELETE -> {
                    id = 6;
                    name = "Delete";
                }
                case UPDATE -> {
                    id = 99;
                    name = "Other";
                }
                default -> {
                    return null;
                }
            }
        }
        return new OcsfClass(ACCOUNT_CHANGE, 3, "Account Change", id, name);
    }

    private static OcsfClass group(Activity activity, boolean member) {
        return switch (activity) {
            case GRANT -> member ? groupOf(3, "Add User") : groupOf(1, "Assign Privileges");
            case REVOKE -> member ? groupOf(4, "Remove User") : groupOf(2, "Revoke Privileges");
            case CREATE -> groupOf(6, "Create");
            case DELETE -> groupOf(5, "Delete");
            case UPDATE, ENABLE, DISABLE -> groupOf(99, "Other");
            default -> null;
        };
    }

    private static OcsfClass groupOf(int id, String name) {
        return new OcsfClass(GROUP_MANAGEMENT, 3, "Group Management", id, name);
    }

    private static OcsfClass entity(Activity activity) {
        return switch (activity) {
            case CREATE -> entityOf(1, "Create");
            case READ -> entityOf(2, "Read");
            case UPDATE -> entityOf(3, "Update");
            case DELETE -> entityOf(4, "Delete");
            case ENABLE -> entityOf(8, "Enable");
            case DISABLE -> entityOf(9, "Disable");
            default -> throw new IllegalArgumentException("no entity activity for " + activity);
        };
    }

    private static OcsfClass entityOf(int id, String name) {
        return new OcsfClass(ENTITY_MANAGEMENT, 3, "Entity Management", id, name);
    }

    private static OcsfClass api(Activity activity) {
        return switch (activity) {
            case CREATE -> apiOf(1, "Create");
            case READ -> apiOf(2, "Read");
            case UPDATE -> apiOf(3, "Update");
            case DELETE -> apiOf(4, "Delete");
            default -> apiOf(99, "Other");
        };
    }

    private static OcsfClass apiOf(int id, String name) {
        return new OcsfClass(API_ACTIVITY, 6, "API Activity", id, name);
    }
}
