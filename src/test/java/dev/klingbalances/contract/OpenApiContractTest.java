package dev.klingbalances.contract;

import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.klingbalances.model.AccountBalance;
import dev.klingbalances.model.AccountError;
import dev.klingbalances.model.BalancesResponse;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.ProviderError;
import dev.klingbalances.model.ProviderTotal;
import dev.klingbalances.web.ProblemCode;
import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document the running app serves is the one committed in {@code docs/openapi.json},
 * so consumers can generate clients from the repository. Regenerate the file after an intended
 * API change with {@code ./mvnw test -Dtest=OpenApiContractTest -Dopenapi.write=true}.
 * <p>
 * Its own context, with the production providers only: the document lists the registered
 * provider names, and test doubles must not leak into the contract.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "balances.kling.base-url=http://127.0.0.1:9", "balances.useapi.base-url=http://127.0.0.1:9" })
class OpenApiContractTest {

	static final Path COMMITTED = Path.of("docs", "openapi.json");

	private static final String EXAMPLES = "#/components/examples/";

	private static final JsonMapper mapper = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

	@LocalServerPort
	int port;

	@Autowired
	@Qualifier("requestMappingHandlerMapping")
	RequestMappingHandlerMapping handlerMapping;

	Http http;

	@BeforeEach
	void setUp() {
		this.http = new Http(this.port);
	}

	@Test
	void servedDocumentMatchesTheCommittedOne() throws IOException {
		JsonNode served = served();
		if (Boolean.getBoolean("openapi.write")) {
			Files.createDirectories(COMMITTED.getParent());
			Files.writeString(COMMITTED, mapper.writeValueAsString(sorted(served)) + "\n", StandardCharsets.UTF_8);
		}
		assertThat(COMMITTED).as("docs/openapi.json (regenerate with -Dopenapi.write=true)").exists();
		JsonNode committed = mapper.readTree(Files.readString(COMMITTED));
		assertThat(committed).as("docs/openapi.json differs from the running app's /v3/api-docs; if the change is "
				+ "intended, regenerate it: ./mvnw test -Dtest=OpenApiContractTest -Dopenapi.write=true")
			.isEqualTo(served);
	}

	@Test
	void committedDocumentValidatesWithoutMessages() throws IOException {
		SwaggerParseResult result = new OpenAPIV3Parser().readContents(Files.readString(COMMITTED), null, null);

		assertThat(result.getMessages()).isEmpty();
		assertThat(result.getOpenAPI()).isNotNull();
		assertThat(result.getOpenAPI().getPaths()).containsKeys("/balances", "/balances/{provider}/{account}");
	}

	@Test
	void describesEveryOperationAndSchema() {
		JsonNode document = served();
		List<String> undescribed = new ArrayList<>();
		document.path("paths").properties().forEach((path) -> path.getValue().properties().forEach((operation) -> {
			if (operation.getValue().path("summary").asString("").isBlank()
					|| operation.getValue().path("description").asString("").isBlank()) {
				undescribed.add(operation.getKey() + " " + path.getKey());
			}
			operation.getValue().path("parameters").forEach((parameter) -> {
				if (parameter.path("description").asString("").isBlank()) {
					undescribed.add(path.getKey() + " parameter " + parameter.path("name").asString());
				}
			});
		}));
		document.path("components").path("schemas").properties().forEach((schema) -> {
			if (schema.getValue().path("description").asString("").isBlank()) {
				undescribed.add("schema " + schema.getKey());
			}
			schema.getValue().path("properties").properties().forEach((property) -> {
				JsonNode value = property.getValue();
				boolean described = !value.path("description").asString("").isBlank() || value.has("$ref")
						|| value.path("allOf").size() > 0 || value.path("items").has("$ref");
				if (!described) {
					undescribed.add("schema " + schema.getKey() + "." + property.getKey());
				}
			});
		});
		assertThat(undescribed).isEmpty();
	}

	@Test
	void enumeratesEveryAccountErrorCode() {
		JsonNode errorCode = served().path("components").path("schemas").path("ErrorCode");

		List<String> documented = new ArrayList<>();
		errorCode.path("enum").forEach((value) -> documented.add(value.asString()));
		assertThat(documented).containsExactlyElementsOf(Arrays.stream(ErrorCode.values()).map(Enum::name).toList());
		for (ErrorCode code : ErrorCode.values()) {
			assertThat(errorCode.path("description").asString()).contains(code.name() + ": " + code.description());
		}
	}

	@Test
	void offersBothKeyHeadersToSwaggerUisAuthorizeButton() {
		JsonNode document = served();

		JsonNode schemes = document.path("components").path("securitySchemes");
		assertThat(schemes.path("bearerKey").path("scheme").asString()).isEqualTo("bearer");
		assertThat(schemes.path("apiKeyHeader").path("name").asString()).isEqualTo("X-API-Key");
		assertThat(document.path("security").toString()).contains("bearerKey").contains("apiKeyHeader");
	}

	@Test
	void exemplifiesFullAndPartialAnswersAndEveryProblem() {
		JsonNode document = served();
		JsonNode examples = document.path("paths").path("/balances").path("get").path("responses").path("200")
			.path("content").path("application/json").path("examples");
		assertThat(examples.properties()).extracting(Map.Entry::getKey).contains("full", "partial");
		JsonNode partial = resolve(document, examples.path("partial")).path("value");
		assertThat(partial.path("complete").asBoolean(true)).isFalse();
		assertThat(partial.path("accounts").toString()).contains("\"error\":{\"code\"");

		JsonNode problemCodes = document.path("components").path("schemas").path("Problem").path("properties")
			.path("code").path("enum");
		List<String> codes = new ArrayList<>();
		problemCodes.forEach((code) -> codes.add(code.asString()));
		assertThat(codes).containsExactlyElementsOf(Arrays.stream(ProblemCode.values()).map(Enum::name).toList());
		JsonNode componentExamples = document.path("components").path("examples");
		for (ProblemCode code : ProblemCode.values()) {
			JsonNode example = componentExamples
				.path("problem-" + code.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
				.path("value");
			assertThat(example.path("code").asString()).as("example of " + code).isEqualTo(code.name());
			assertThat(example.path("type").asString()).as("example of " + code).isEqualTo(code.type().toString());
			assertThat(example.path("status").asInt()).as("example of " + code).isEqualTo(code.status().value());
		}
		// Every code has a reusable response that shows its example.
		List<String> answered = new ArrayList<>();
		document.path("components").path("responses").forEach((response) -> response.path("content")
			.path("application/problem+json").path("examples").forEach((example) -> answered
				.add(resolve(document, example).path("value").path("code").asString())));
		assertThat(answered).containsExactlyInAnyOrderElementsOf(codes);
	}

	/**
	 * Every example the document shows, wherever it is shown, matches the schema it is shown for
	 * and, for balances, follows the service's rules: no example may show what the service never
	 * answers (a failure as a zero, a complete answer with an error, a total that does not add up).
	 */
	@Test
	void everyExampleMatchesItsSchemaAndTheServicesRules() {
		JsonNode document = served();
		SchemaCheck schemas = new SchemaCheck(document);
		Map<String, JsonNode[]> examples = new TreeMap<>();
		document.path("paths").properties().forEach((path) -> path.getValue().properties().forEach((operation) -> operation
			.getValue().path("responses").properties().forEach((response) -> collectExamples(document,
					resolve(document, response.getValue()), operation.getKey() + " " + path.getKey() + " " + response.getKey(),
					examples))));
		document.path("components").path("responses").properties().forEach((response) -> collectExamples(document,
				response.getValue(), "response " + response.getKey(), examples));

		List<String> shown = examples.keySet().stream().filter((name) -> name.startsWith(EXAMPLES)).toList();
		List<String> components = new ArrayList<>();
		document.path("components").path("examples").properties().forEach((example) -> components.add(EXAMPLES + example.getKey()));
		assertThat(shown).as("every component example is shown somewhere, so it is checked").containsAll(components);
		assertThat(examples).as("examples found").hasSizeGreaterThanOrEqualTo(components.size());
		List<String> violations = new ArrayList<>();
		examples.forEach((name, example) -> {
			JsonNode schema = example[0];
			JsonNode value = example[1];
			violations.addAll(schemas.violations(schema, value, name));
			switch (schema.path("$ref").asString("")) {
				case "#/components/schemas/BalancesResponse" -> BalanceRules.ofResponse(value)
					.forEach((violation) -> violations.add(name + ": " + violation));
				case "#/components/schemas/AccountBalance" -> BalanceRules.ofAccount(value)
					.forEach((violation) -> violations.add(name + ": " + violation));
				default -> {
				}
			}
		});
		assertThat(violations).isEmpty();
	}

	/**
	 * Every component of every record the API answers with is always sent, so its schema lists
	 * it as required.
	 */
	@Test
	void requiresEveryComponentOfEveryResponseRecord() {
		JsonNode schemas = served().path("components").path("schemas");
		List<String> notRequired = new ArrayList<>();
		for (Class<?> record : responseRecords()) {
			List<String> required = new ArrayList<>();
			schemas.path(schemaName(record)).path("required").forEach((name) -> required.add(name.asString()));
			for (RecordComponent component : record.getRecordComponents()) {
				if (!required.contains(component.getName())) {
					notRequired.add(schemaName(record) + "." + component.getName());
				}
			}
		}
		assertThat(notRequired).as("response record components not required in their schema").isEmpty();
	}

	/** A response record component's schema is nullable exactly when the component is {@code @Nullable}. */
	@Test
	void allowsNullExactlyWhereAResponseRecordDoes() {
		JsonNode schemas = served().path("components").path("schemas");
		List<String> wrong = new ArrayList<>();
		for (Class<?> record : responseRecords()) {
			for (RecordComponent component : record.getRecordComponents()) {
				JsonNode property = schemas.path(schemaName(record)).path("properties").path(component.getName());
				boolean nullable = component.getAnnotatedType().isAnnotationPresent(Nullable.class);
				if (nullableInSchema(property) != nullable) {
					wrong.add(schemaName(record) + "." + component.getName()
							+ (nullable ? " is @Nullable but not nullable" : " is nullable but not @Nullable")
							+ " in the schema: " + property);
				}
			}
		}
		assertThat(wrong).isEmpty();
	}

	/** The records the API answers with, found by reflection from the controllers' return types. */
	private Set<Class<?>> responseRecords() {
		Set<Class<?>> records = new LinkedHashSet<>();
		this.handlerMapping.getHandlerMethods()
			.values()
			.stream()
			.filter((handler) -> handler.getBeanType().getPackageName().startsWith("dev.klingbalances"))
			// A hidden handler (the status page's own settings) is not in the document.
			.filter((handler) -> !handler.getBeanType().isAnnotationPresent(Hidden.class)
					&& !handler.hasMethodAnnotation(Hidden.class))
			.forEach((handler) -> {
				records(handler.getMethod().getGenericReturnType(), records);
				// Handlers that serve prepared bytes name their record in the documented response.
				org.springframework.core.annotation.AnnotatedElementUtils
					.findMergedRepeatableAnnotations(handler.getMethod(),
							io.swagger.v3.oas.annotations.responses.ApiResponse.class)
					.stream()
					.flatMap((response) -> java.util.Arrays.stream(response.content()))
					.map((content) -> content.schema().implementation())
					.filter((type) -> type != Void.class)
					.forEach((type) -> records(type, records));
			});
		assertThat(records).as("records found from the controllers").contains(BalancesResponse.class,
				AccountBalance.class, ProviderTotal.class, ProviderError.class, AccountError.class, Grant.class);
		return records;
	}

	/** The schema's name: {@code @Schema(name)} when the record sets one (nested records do), else its simple name. */
	private static String schemaName(Class<?> record) {
		io.swagger.v3.oas.annotations.media.Schema schema = record
			.getAnnotation(io.swagger.v3.oas.annotations.media.Schema.class);
		return (schema != null && !schema.name().isEmpty()) ? schema.name() : record.getSimpleName();
	}

	private static boolean nullableInSchema(JsonNode property) {
		if (property.path("anyOf").toString().contains("{\"type\":\"null\"}")) {
			return true;
		}
		JsonNode type = property.path("type");
		return type.isArray() && type.toString().contains("\"null\"");
	}

	private static void records(Type type, Set<Class<?>> records) {
		if (type instanceof Class<?> recordType && recordType.isRecord() && records.add(recordType)) {
			for (RecordComponent component : recordType.getRecordComponents()) {
				records(component.getGenericType(), records);
			}
		}
		if (type instanceof ParameterizedType parameterized) {
			for (Type argument : parameterized.getActualTypeArguments()) {
				records(argument, records);
			}
		}
	}

	/** The examples of a response's media types, by name, each with the schema it is shown for. */
	private static void collectExamples(JsonNode document, JsonNode response, String where,
			Map<String, JsonNode[]> examples) {
		response.path("content").properties().forEach((media) -> {
			JsonNode schema = media.getValue().path("schema");
			media.getValue().path("examples").properties().forEach((example) -> {
				String name = example.getValue().path("$ref").asString(where + " " + example.getKey());
				examples.put(name, new JsonNode[] { schema, resolve(document, example.getValue()).path("value") });
			});
			if (media.getValue().has("example")) {
				examples.put(where + " example", new JsonNode[] { schema, media.getValue().path("example") });
			}
		});
	}

	private JsonNode served() {
		HttpResponse<String> response = this.http.get("/v3/api-docs");
		assertThat(response.statusCode()).isEqualTo(200);
		return mapper.readTree(response.body());
	}

	private static JsonNode resolve(JsonNode document, JsonNode node) {
		String ref = node.path("$ref").asString("");
		if (ref.startsWith("#/")) {
			JsonNode target = document;
			for (String part : ref.substring(2).split("/")) {
				target = target.path(part);
			}
			return target;
		}
		return node;
	}

	/** Object keys in order, so a regenerated file diffs only where the API changed. */
	private static JsonNode sorted(JsonNode node) {
		if (node.isObject()) {
			Map<String, JsonNode> fields = new TreeMap<>();
			node.properties().forEach((field) -> fields.put(field.getKey(), sorted(field.getValue())));
			ObjectNode sorted = mapper.createObjectNode();
			fields.forEach(sorted::set);
			return sorted;
		}
		if (node.isArray()) {
			var array = mapper.createArrayNode();
			node.forEach((element) -> array.add(sorted(element)));
			return array;
		}
		return node;
	}

}
