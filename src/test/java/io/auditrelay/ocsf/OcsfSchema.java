package io.auditrelay.ocsf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.mapper.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Validates an event against the OCSF definitions vendored under {@code src/test/resources/ocsf/<version>}: every
 * attribute is defined by its class or object (with their parents and included profiles), required attributes are
 * present (a profile's only when {@code metadata.profiles} names it), enum values are allowed, values have their
 * dictionary type, and objects meet their {@code at_least_one} constraints.
 */
public final class OcsfSchema {

    private final Path dir;
    private final JsonNode dictionary;
    private final Map<Integer, Path> classes = new LinkedHashMap<>();
    private final Map<String, Integer> categories = new LinkedHashMap<>();

    private OcsfSchema(Path dir) throws IOException {
        this.dir = dir;
        this.dictionary = read(dir.resolve("dictionary.json"));
        read(dir.resolve("categories.json")).get("attributes").fields()
                .forEachRemaining(e -> categories.put(e.getKey(), e.getValue().get("uid").asInt()));
        try (Stream<Path> files = Files.walk(dir.resolve("events"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                JsonNode def = read(file);
                if (def.has("uid")) {
                    String category = category(def);
                    classes.put(categories.get(category) * 1000 + def.get("uid").asInt(), file);
                }
            }
        }
    }

    public static OcsfSchema load(String version) {
        try {
            return new OcsfSchema(Path.of(System.getProperty("basedir", "."), "src/test/resources/ocsf", version));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String version() {
        return read(dir.resolve("version.json")).get("version").asText();
    }

    Set<Integer> classUids() {
        return classes.keySet();
    }

    /** The problems of an event; empty when it is valid. */
    public List<String> validate(JsonNode event) {
        List<String> errors = new ArrayList<>();
        int classUid = event.path("class_uid").asInt(-1);
        Path file = classes.get(classUid);
        if (file == null) {
            errors.add("class_uid " + classUid + " is not a vendored class");
            return errors;
        }
        JsonNode def = read(file);
        int categoryUid = categories.get(category(def));
        check(errors, event.path("category_uid").asInt(-1) == categoryUid, "category_uid is not " + categoryUid);
        long typeUid = classUid * 100L + event.path("activity_id").asInt();
        check(errors, event.path("type_uid").asLong(-1) == typeUid, "type_uid is not " + typeUid);
        Set<String> profiles = new HashSet<>();
        event.path("metadata").path("profiles").forEach(p -> profiles.add(p.asText()));
        Map<String, ObjectNode> attributes = attributes(def, "events");
        for (String skipped : List.of("class_uid", "category_uid")) {
            attributes.get(skipped).remove("enum");
        }
        validateObject(errors, "", event, attributes, profiles, def.path("constraints"));
        return errors;
    }

    private void validateObject(List<String> errors, String path, JsonNode node, Map<String, ObjectNode> attributes,
                                Set<String> profiles, JsonNode constraints) {
        for (Map.Entry<String, ObjectNode> attribute : attributes.entrySet()) {
            ObjectNode def = attribute.getValue();
            String profile = def.path("profile").isTextual() ? def.get("profile").asText() : null;
            if ("required".equals(def.path("requirement").asText()) && (profile == null || profiles.contains(profile))) {
                check(errors, node.hasNonNull(attribute.getKey()), path + attribute.getKey() + " is required");
            }
        }
        if (constraints.has("at_least_one")) {
            boolean any = false;
            for (JsonNode name : constraints.get("at_least_one")) {
                any |= node.hasNonNull(name.asText());
            }
            check(errors, any, path + " needs at least one of " + constraints.get("at_least_one"));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = path + field.getKey();
            ObjectNode def = attributes.get(field.getKey());
            if (def == null) {
                errors.add(name + " is not an attribute here");
                continue;
            }
            JsonNode dict = dictionary.path("attributes").path(field.getKey());
            String type = def.has("type") ? def.get("type").asText() : dict.path("type").asText(null);
            boolean array = def.has("is_array") ? def.get("is_array").asBoolean() : dict.path("is_array").asBoolean();
            if (type == null) {
                errors.add(name + " has no dictionary type");
                continue;
            }
            if (array) {
                if (!field.getValue().isArray()) {
                    errors.add(name + " must be an array");
                    continue;
                }
                int i = 0;
                for (JsonNode item : field.getValue()) {
                    value(errors, name + "[" + i++ + "]", item, type, def, dict, profiles);
                }
            } else {
                value(errors, name, field.getValue(), type, def, dict, profiles);
            }
        }
    }

    private void value(List<String> errors, String name, JsonNode value, String type, ObjectNode def, JsonNode dict,
                       Set<String> profiles) {
        JsonNode enumeration = def.has("enum") ? def.get("enum") : dict.path("enum");
        if (enumeration.isObject() && !enumeration.isEmpty()) {
            check(errors, enumeration.has(value.asText()), name + " = " + value + " is not in its enum");
        }
        if (type.equals("object")) {
            check(errors, value.isObject(), name + " must be an object");
            return;
        }
        if (!type.endsWith("_t")) {
            if (!value.isObject()) {
                errors.add(name + " must be an object " + type);
                return;
            }
            JsonNode objectDef = read(dir.resolve("objects/" + type + ".json"));
            validateObject(errors, name + ".", value, attributes(objectDef, "objects"), profiles,
                    objectDef.path("constraints"));
            return;
        }
        String base = baseType(type);
        boolean ok = switch (base) {
            case "string_t" -> value.isTextual();
            case "integer_t" -> value.isInt();
            case "long_t" -> value.isIntegralNumber();
            case "float_t" -> value.isNumber();
            case "boolean_t" -> value.isBoolean();
            case "json_t" -> true;
            default -> false;
        };
        check(errors, ok, name + " = " + value + " is not a " + type);
    }

    private String baseType(String type) {
        JsonNode t = dictionary.path("types").path("attributes").path(type);
        return t.has("type") ? baseType(t.get("type").asText()) : type;
    }

    /** The attributes of a class or object: its parents' first, then included profiles, then its own. */
    private Map<String, ObjectNode> attributes(JsonNode def, String kind) {
        Map<String, ObjectNode> merged = new LinkedHashMap<>();
        if (def.has("extends")) {
            String parent = def.get("extends").asText();
            merged.putAll(attributes(read(find(kind, parent)), kind));
        }
        JsonNode own = def.path("attributes");
        for (JsonNode include : own.path("$include")) {
            JsonNode profile = read(dir.resolve(include.asText()));
            String profileName = profile.path("name").asText();
            profile.path("attributes").fields().forEachRemaining(e -> {
                ObjectNode copy = e.getValue().deepCopy();
                if (!copy.has("profile")) {
                    copy.put("profile", profileName);
                }
                merge(merged, e.getKey(), copy);
            });
        }
        own.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("$include")) {
                merge(merged, e.getKey(), (ObjectNode) e.getValue());
            }
        });
        return merged;
    }

    private static void merge(Map<String, ObjectNode> merged, String name, ObjectNode def) {
        ObjectNode into = merged.containsKey(name) ? merged.get(name).deepCopy() : Json.MAPPER.createObjectNode();
        def.fields().forEachRemaining(e -> {
            if (e.getKey().equals("enum") && into.has("enum")) {
                ObjectNode values = ((ObjectNode) into.get("enum")).deepCopy();
                values.setAll((ObjectNode) e.getValue());
                into.set("enum", values);
            } else {
                into.set(e.getKey(), e.getValue());
            }
        });
        merged.put(name, into);
    }

    private Path find(String kind, String name) {
        if (kind.equals("objects")) {
            return dir.resolve("objects/" + name + ".json");
        }
        try (Stream<Path> files = Files.walk(dir.resolve("events"))) {
            return files.filter(p -> p.getFileName().toString().equals(name + ".json")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no vendored event definition " + name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String category(JsonNode def) {
        while (!def.has("category")) {
            def = read(find("events", def.get("extends").asText()));
        }
        return def.get("category").asText();
    }

    private static void check(List<String> errors, boolean ok, String message) {
        if (!ok) {
            errors.add(message);
        }
    }

    private static JsonNode read(Path file) {
        try {
            return Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
