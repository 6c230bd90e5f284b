package dev.klingbalances.contract;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * Checks a JSON value against a schema of this service's OpenAPI 3.1 document, with what the
 * document uses: {@code $ref}, {@code anyOf}, {@code type} (one or a list, {@code null}
 * included), {@code enum}, {@code required}, {@code properties}, {@code items} and the
 * {@code date-time} and {@code duration} formats. Anything else in a schema is not checked.
 */
final class SchemaCheck {

	private static final String SCHEMAS = "#/components/schemas/";

	private final JsonNode document;

	SchemaCheck(JsonNode document) {
		this.document = document;
	}

	/** What does not match; empty when the value matches the schema. */
	List<String> violations(JsonNode schema, JsonNode value, String where) {
		List<String> violations = new ArrayList<>();
		check(schema, value, where, violations);
		return violations;
	}

	private void check(JsonNode schema, JsonNode value, String where, List<String> violations) {
		if (schema.has("$ref")) {
			String ref = schema.path("$ref").asString();
			JsonNode target = this.document.path("components").path("schemas").path(ref.substring(SCHEMAS.length()));
			if (!ref.startsWith(SCHEMAS) || target.isMissingNode()) {
				violations.add(where + ": unresolvable " + ref);
				return;
			}
			check(target, value, where, violations);
		}
		if (schema.has("anyOf")) {
			boolean any = false;
			for (JsonNode branch : schema.path("anyOf")) {
				any |= violations(branch, value, where).isEmpty();
			}
			if (!any) {
				violations.add(where + ": " + value + " matches none of " + schema.path("anyOf"));
			}
		}
		if (schema.has("type") && !typeMatches(schema.path("type"), value)) {
			violations.add(where + ": " + value + " is not of type " + schema.path("type"));
			return;
		}
		if (schema.has("enum") && !value.isNull() && !contains(schema.path("enum"), value)) {
			violations.add(where + ": " + value + " is not one of " + schema.path("enum"));
		}
		if (value.isString()) {
			checkFormat(schema.path("format").asString(""), value.asString(), where, violations);
		}
		if (value.isObject()) {
			for (JsonNode required : schema.path("required")) {
				if (!value.has(required.asString())) {
					violations.add(where + ": required " + required.asString() + " is missing");
				}
			}
			schema.path("properties").properties().forEach((property) -> {
				if (value.has(property.getKey())) {
					check(property.getValue(), value.get(property.getKey()), where + "." + property.getKey(), violations);
				}
			});
		}
		if (value.isArray() && schema.has("items")) {
			for (int i = 0; i < value.size(); i++) {
				check(schema.path("items"), value.get(i), where + "[" + i + "]", violations);
			}
		}
	}

	private static boolean typeMatches(JsonNode type, JsonNode value) {
		if (type.isArray()) {
			for (JsonNode one : type) {
				if (typeMatches(one, value)) {
					return true;
				}
			}
			return false;
		}
		return switch (type.asString()) {
			case "null" -> value.isNull();
			case "object" -> value.isObject();
			case "array" -> value.isArray();
			case "string" -> value.isString();
			case "boolean" -> value.isBoolean();
			case "integer" -> value.isIntegralNumber();
			case "number" -> value.isNumber();
			default -> false;
		};
	}

	private static boolean contains(JsonNode values, JsonNode value) {
		for (JsonNode one : values) {
			if (one.equals(value)) {
				return true;
			}
		}
		return false;
	}

	private static void checkFormat(String format, String value, String where, List<String> violations) {
		try {
			switch (format) {
				case "date-time" -> Instant.parse(value);
				case "duration" -> Duration.parse(value);
				default -> {
				}
			}
		}
		catch (DateTimeParseException ex) {
			violations.add(where + ": '" + value + "' is not a " + format);
		}
	}

}
