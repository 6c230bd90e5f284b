package dev.klingbalances.web;

import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.model.AccountBalance;
import dev.klingbalances.model.AccountError;
import dev.klingbalances.model.BalancesResponse;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.ExpiringSoon;
import dev.klingbalances.model.Forecast;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.model.NextAccount;
import dev.klingbalances.model.ProductBalance;
import dev.klingbalances.model.ProviderError;
import dev.klingbalances.model.ProviderTotal;
import dev.klingbalances.provider.BalanceProvider;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.ProblemDetail;

/**
 * The OpenAPI document's shared parts: front matter, the API-key security schemes behind
 * Swagger UI's Authorize button, the {@code Problem} schema with every {@code code}, the
 * reusable error responses and the examples (a full answer, a partial one, each problem). The
 * operations reference them by name ({@link #RESPONSES}, {@link #EXAMPLES}). The document is
 * committed as {@code docs/openapi.json} and a test keeps the two identical, so nothing here may
 * depend on the request, the clock or the configuration.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

	/** Prefix of the reusable responses, e.g. {@code RESPONSES + "Unauthorized"}. */
	static final String RESPONSES = "#/components/responses/";

	/** Prefix of the reusable examples, e.g. {@code EXAMPLES + "balances-full"}. */
	static final String EXAMPLES = "#/components/examples/";

	static final String BEARER_KEY = "bearerKey";

	static final String API_KEY_HEADER = "apiKeyHeader";

	private static final String PROBLEM_JSON = org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;

	private static final Instant FETCHED = Instant.parse("2026-05-04T08:00:00Z");

	/** Springdoc and the beans below start with the first request for the document. */
	@Bean
	static OpenApiLazyInitialization openApiLazyInitialization() {
		return new OpenApiLazyInitialization();
	}

	@Bean
	OpenAPI balancesOpenApi(ObjectProvider<BuildProperties> build, JsonMapper jsonMapper,
			ObjectProvider<BalanceProvider> providers) {
		// The container's error page is plumbing, not an operation.
		SpringDocUtils.getConfig().addHiddenRestControllers(ProblemErrorController.class);
		BuildProperties properties = build.getIfAvailable();
		Components components = new Components()
			.addSecuritySchemes(BEARER_KEY, new SecurityScheme().type(SecurityScheme.Type.HTTP)
				.scheme("bearer")
				.description("The consumer's API key as a Bearer token: `Authorization: Bearer <key>`."))
			.addSecuritySchemes(API_KEY_HEADER, new SecurityScheme().type(SecurityScheme.Type.APIKEY)
				.in(SecurityScheme.In.HEADER)
				.name("X-API-Key")
				.description("The consumer's API key in its own header: `X-API-Key: <key>`. Send one of the two headers."))
			.addSchemas("Problem", problemSchema())
			.addHeaders("Retry-After", new Header().description("Seconds to wait before trying again")
				.schema(new IntegerSchema().minimum(BigDecimal.ONE).example(1)))
			.addHeaders("WWW-Authenticate", new Header().description("The Bearer challenge (RFC 6750)")
				.schema(new StringSchema().example("Bearer realm=\"kling-balances\"")))
			.addHeaders("ETag", new Header().description("Entity tag of the content; send it back in If-None-Match")
				.schema(new StringSchema()))
			.addResponses("NotModified", new ApiResponse().description("Not modified since the ETag given in If-None-Match"));
		problemResponses().forEach(components::addResponses);
		examples(jsonMapper).forEach(components::addExamples);
		return new OpenAPI().info(new Info().title("kling-balances")
			.version((properties != null) ? properties.getVersion() : "dev")
			.description("""
					How much Kling AI capacity is left, across every account of every provider, in one call. \
					Providers: %s. \
					Figures are cached; each account states when it was fetched and whether it is stale. \
					Errors are RFC 9457 problem+json with a stable `code`.

					Every call needs a consumer's API key, sent as `Authorization: Bearer <key>` or \
					`X-API-Key: <key>` (Swagger UI: **Authorize**). Each consumer has its own rate limit; \
					over it the answer is 429 with `Retry-After`.""".formatted(providers(providers).stream()
				.map((provider) -> provider.displayName() + " (`" + provider.name() + "`, in `" + provider.unit() + "`)")
				.collect(Collectors.joining(", ")))))
			// Relative, so the committed document is the same on every host and port.
			.servers(List.of(new Server().url("/").description("This service")))
			.addSecurityItem(new SecurityRequirement().addList(BEARER_KEY))
			.addSecurityItem(new SecurityRequirement().addList(API_KEY_HEADER))
			.components(components);
	}

	/**
	 * Spells out what each account error code means, from the enum itself; states what the
	 * response records guarantee (every property present, {@code null} only where the component
	 * is {@code @Nullable}); and makes nullable references valid OpenAPI 3.1 ({@code anyOf} the
	 * reference and {@code null}).
	 */
	@Bean
	@SuppressWarnings({ "unchecked", "rawtypes" })
	OpenApiCustomizer documentRefinements(BalanceService balances, ListableBeanFactory beans,
			ObjectProvider<BalanceProvider> providerBeans) {
		String productsByProvider = "Products by provider: " + providers(providerBeans).stream()
			.map((provider) -> provider.name() + ": " + String.join(", ", provider.products()))
			.collect(Collectors.joining("; ")) + ".";
		return (openApi) -> {
			Map<String, Schema> schemas = openApi.getComponents().getSchemas();
			ResponseRecords.of(beans)
				.forEach((record) -> describeRecord(record, schemas.get(ResponseRecords.schemaName(record))));
			// Provider names come from the registered providers, so a new provider package
			// shows up in the contract without touching any annotation.
			List<String> providers = balances.providerNames();
			openApi.getPaths()
				.values()
				.forEach((path) -> path.readOperations()
					.stream()
					.filter((operation) -> operation.getParameters() != null)
					.flatMap((operation) -> operation.getParameters().stream())
					.filter((parameter) -> parameter.getSchema() != null)
					.forEach((parameter) -> {
						if ("provider".equals(parameter.getName())) {
							((Schema) parameter.getSchema()).setEnum(new ArrayList<>(providers));
						}
						else if ("product".equals(parameter.getName())) {
							((Schema) parameter.getSchema()).setEnum(new ArrayList<>(balances.productNames()));
							parameter.setDescription(withSentence(parameter.getDescription(), productsByProvider));
						}
					}));
			// What every read of /balances answers besides its own responses, said once here.
			openApi.getPaths()
				.entrySet()
				.stream()
				.filter((path) -> path.getKey().startsWith("/balances"))
				.forEach((path) -> path.getValue().readOperations().forEach(OpenApiConfiguration::addCommonResponses));
			// Product names likewise: every product some provider's grants can be of.
			for (String name : List.of("Grant", "ProductBalance", "ProviderTotal", "HistoryProductPoint")) {
				Schema<?> schema = schemas.get(name);
				Schema product = (schema != null && schema.getProperties() != null) ? schema.getProperties().get("product")
						: null;
				if (product != null) {
					product.setEnum(new ArrayList<>(balances.productNames()));
					product.setDescription(withSentence(product.getDescription(), productsByProvider));
				}
			}
			for (String name : List.of("AccountBalance", "ProviderTotal", "ProviderError")) {
				Schema<?> schema = schemas.get(name);
				Schema provider = (schema != null && schema.getProperties() != null) ? schema.getProperties().get("provider")
						: null;
				if (provider != null) {
					provider.setEnum(new ArrayList<>(providers));
				}
			}
			Schema<?> errorCode = schemas.get("ErrorCode");
			if (errorCode != null) {
				errorCode.description("Why an account could not be read. Clients may switch on these names:\n\n"
						+ Arrays.stream(ErrorCode.values())
							.map((code) -> "- " + code.name() + ": " + code.description())
							.collect(Collectors.joining("\n")));
			}
			schemas.values().forEach((schema) -> {
				Map<String, Schema> properties = schema.getProperties();
				if (properties != null) {
					properties.replaceAll((name, property) -> nullableReference(property));
				}
			});
		};
	}

	/**
	 * A read of {@code /balances}: its 200 carries an {@code ETag}, it answers 304 to a matching
	 * {@code If-None-Match}, and it can be refused as 400, 401, 429 or 500 problem+json.
	 */
	private static void addCommonResponses(io.swagger.v3.oas.models.Operation operation) {
		ApiResponses responses = operation.getResponses();
		ApiResponse ok = responses.get("200");
		if (ok != null) {
			Map<String, Header> headers = new LinkedHashMap<>();
			headers.put("ETag", new Header().$ref("#/components/headers/ETag"));
			if (ok.getHeaders() != null) {
				headers.putAll(ok.getHeaders());
			}
			ok.setHeaders(new TreeMap<>(headers));
		}
		responses.putIfAbsent("304", new ApiResponse().$ref(RESPONSES + "NotModified"));
		for (ProblemCode code : List.of(ProblemCode.INVALID_PARAMETER, ProblemCode.UNAUTHORIZED,
				ProblemCode.TOO_MANY_REQUESTS, ProblemCode.INTERNAL_ERROR)) {
			responses.putIfAbsent(Integer.toString(code.status().value()), new ApiResponse().$ref(RESPONSES + code.response()));
		}
		ApiResponses sorted = new ApiResponses();
		new TreeMap<>(responses).forEach(sorted::addApiResponse);
		operation.setResponses(sorted);
	}

	/** The registered providers by name: what the document says of providers and products. */
	private static List<BalanceProvider> providers(ObjectProvider<BalanceProvider> providers) {
		return providers.stream().sorted(Comparator.comparing(BalanceProvider::name)).toList();
	}

	/** A description with a sentence added once, however often the document is refined. */
	private static String withSentence(@Nullable String description, String sentence) {
		if (description == null || description.isBlank()) {
			return sentence;
		}
		if (description.endsWith(sentence)) {
			return description;
		}
		return description + (description.endsWith(".") ? " " : ". ") + sentence;
	}

	/**
	 * Every property of a response record is always sent ({@code default-property-inclusion:
	 * always}), so all are required; a {@code @Nullable} component's value may be {@code null}.
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static void describeRecord(Class<? extends Record> record, @Nullable Schema<?> schema) {
		if (schema == null || schema.getProperties() == null) {
			return;
		}
		Map<String, Schema> properties = (Map) schema.getProperties();
		for (RecordComponent component : record.getRecordComponents()) {
			Schema property = properties.get(component.getName());
			if (property != null && ResponseRecords.isNullable(component)) {
				Set<String> types = new LinkedHashSet<>();
				if (property.getTypes() != null) {
					types.addAll(property.getTypes());
				}
				else if (property.getType() != null) {
					types.add(property.getType());
				}
				types.add("null");
				property.setTypes(types);
			}
		}
		schema.setRequired(new ArrayList<>(properties.keySet()));
	}

	private static Schema nullableReference(Schema<?> property) {
		if (property.get$ref() == null || property.getTypes() == null || !property.getTypes().contains("null")) {
			return property;
		}
		return new Schema<>().description(property.getDescription())
			.anyOf(List.of(new Schema<>().$ref(property.get$ref()), new Schema<>().types(Set.of("null"))));
	}

	private static Schema<?> problemSchema() {
		Schema<Object> code = new StringSchema().description("Stable machine-readable code; clients switch on it:\n\n"
				+ Arrays.stream(ProblemCode.values())
					.map((problem) -> "- " + problem.name() + " (" + problem.status().value() + "): " + problem.meaning())
					.collect(Collectors.joining("\n")))
			.example(ProblemCode.NOT_FOUND.name());
		code.setEnum(Arrays.stream(ProblemCode.values()).<Object>map(ProblemCode::name).toList());
		return new ObjectSchema()
			.description("An error, as RFC 9457 problem+json (media type application/problem+json).")
			.addProperty("type", new StringSchema().format("uri")
				.description("urn:kling-balances:problem: followed by the code in lower case, '_' as '-'")
				.example("urn:kling-balances:problem:not-found"))
			.addProperty("title", new StringSchema().description("The HTTP status's reason phrase").example("Not Found"))
			.addProperty("status", new IntegerSchema().description("The HTTP status").example(404))
			.addProperty("detail", new StringSchema().description(
					"What went wrong, for humans; never a credential, a stack trace or raw upstream data")
				.example("Provider 'kling' has no account with that name."))
			.addProperty("instance", new StringSchema().format("uri-reference")
				.description("The request path").example("/balances/kling/team-x"))
			.addProperty("code", code)
			.addProperty("parameter", new StringSchema().description("INVALID_PARAMETER only: the offending parameter")
				.example("provider"))
			.addProperty("upstreamError", new StringSchema().description(
					"ACCOUNT_LIST_UNAVAILABLE only: why the account list could not be read (an ErrorCode)")
				.example(ErrorCode.UPSTREAM_UNAVAILABLE.name()))
			.addProperty("candidates", new ArraySchema().items(new Schema<>().$ref("#/components/schemas/Candidate"))
				.description("NO_CAPACITY only: every account considered, with why it was left out"))
			.required(List.of("type", "title", "status", "code"));
	}

	/** One reusable error response per problem code, with its example and headers. */
	private static Map<String, ApiResponse> problemResponses() {
		Map<String, ApiResponse> responses = new LinkedHashMap<>();
		for (ProblemCode code : ProblemCode.values()) {
			MediaType mediaType = new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem"))
				.addExamples(code.name(), new Example().$ref(EXAMPLES + exampleName(code)));
			ApiResponse response = new ApiResponse().description(code.meaning())
				.content(new Content().addMediaType(PROBLEM_JSON, mediaType));
			code.headers()
				.forEach((header) -> response.addHeaderObject(header, new Header().$ref("#/components/headers/" + header)));
			responses.put(code.response(), response);
		}
		return responses;
	}

	private static String exampleName(ProblemCode code) {
		return "problem-" + code.name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	/** Examples serialized by the app's own mapper, so they look exactly like real answers. */
	private static Map<String, Example> examples(JsonMapper jsonMapper) {
		Forecast videoForecast = new Forecast(new BigDecimal("6.5"), Instant.parse("2026-05-22T04:00:00Z"), null,
				new Forecast.ExpiringUnused(BigDecimal.ZERO, null),
				new Forecast.Basis(FETCHED.minus(Duration.ofDays(7)), FETCHED, 412));
		// Reported 118.0 describes 12 h before FETCHED; at 6.5 a day that is 3.25 less now.
		AccountBalance klingGood = new AccountBalance("kling", "team-a", "units", new BigDecimal("118.0"),
				new BigDecimal("114.75"), new BigDecimal("200.0"),
				List.of(new ProductBalance("video", new BigDecimal("118.0"), new BigDecimal("114.75"),
						new BigDecimal("200.0"), videoForecast, List.of())),
				List.of(new Grant("509f3fd3d4ab4a3f9eec5db27aa44f27", "Video Generation - 200 units", "video",
						"decreasing_total", GrantStatus.ACTIVE, "online", new BigDecimal("200.0"), new BigDecimal("118.0"),
						Instant.parse("2026-01-10T00:00:00Z"), Instant.parse("2027-01-10T00:00:00Z"))),
				Map.of(), FETCHED, FETCHED.plus(Duration.ofMinutes(10)), false, Duration.ofHours(12), null, null,
				List.of(), videoForecast);
		// Video and image packs on one account: two pools, no account-wide figure. The video pack
		// runs out before the pending one starts: runsOutAt is that gap, refillsAt its end.
		Instant pendingStart = Instant.parse("2026-05-20T00:00:00Z");
		Forecast mixedVideo = new Forecast(new BigDecimal("20"), Instant.parse("2026-05-13T02:00:00Z"), pendingStart,
				new Forecast.ExpiringUnused(BigDecimal.ZERO, null),
				new Forecast.Basis(FETCHED.minus(Duration.ofDays(7)), FETCHED, 388));
		Forecast mixedImage = new Forecast(new BigDecimal("4"), Instant.parse("2026-05-19T00:00:00Z"), null,
				new Forecast.ExpiringUnused(new BigDecimal("12"), Instant.parse("2026-05-19T00:00:00Z")),
				new Forecast.Basis(FETCHED.minus(Duration.ofDays(7)), FETCHED, 388));
		ExpiringSoon imageExpiring = new ExpiringSoon(ExpiringSoon.Kind.GRANT, "image", "c41d9a0e77b54f0c9d5b1c2a3e4f5a6b",
				"图片生成-500条", new BigDecimal("40.0"), Instant.parse("2026-05-19T00:00:00Z"));
		AccountBalance klingMixed = new AccountBalance("kling", "team-c", "units", null, null,
				List.of(new ProductBalance("image", new BigDecimal("40.0"), new BigDecimal("500.0"), mixedImage,
						List.of(imageExpiring)),
						new ProductBalance("video", new BigDecimal("30.0"), new BigDecimal("1000.0"), mixedVideo,
								List.of())),
				List.of(new Grant("8d2f0a51c3e94b7e8a6f4b3c2d1e0f9a", "Video Generation - 1,000 entries", "video",
						"decreasing_total", GrantStatus.ACTIVE, "online", new BigDecimal("1000.0"), new BigDecimal("30.0"),
						Instant.parse("2026-01-10T00:00:00Z"), Instant.parse("2027-01-10T00:00:00Z")),
						new Grant("f0e1d2c3b4a5968778695a4b3c2d1e0f", "Video Generation - 10,000 entries", "video",
								"decreasing_total", GrantStatus.PENDING, "toBeOnline", new BigDecimal("10000.0"),
								new BigDecimal("10000.0"), pendingStart, Instant.parse("2027-05-20T00:00:00Z")),
						new Grant("c41d9a0e77b54f0c9d5b1c2a3e4f5a6b", "图片生成-500条", "image", "decreasing_total",
								GrantStatus.ACTIVE, "online", new BigDecimal("500.0"), new BigDecimal("40.0"),
								Instant.parse("2026-02-19T00:00:00Z"), Instant.parse("2026-05-19T00:00:00Z"))),
				Map.of(), FETCHED, FETCHED.plus(Duration.ofMinutes(10)), false, Duration.ofHours(12), null, null,
				List.of(imageExpiring), Forecast.NONE);
		AccountBalance useapiGood = new AccountBalance("useapi", "artist@example.com", "credits",
				new BigDecimal("420"), new BigDecimal("660"),
				List.of(new ProductBalance("credits", new BigDecimal("420"), new BigDecimal("660"), Forecast.NONE,
						List.of())),
				List.of(new Grant("order-8812", null, "credits", "plan", GrantStatus.ACTIVE, null, new BigDecimal("660"),
						new BigDecimal("420"), Instant.parse("2026-05-01T00:00:00Z"), Instant.parse("2026-06-01T00:00:00Z"))),
				Map.of("maxJobs", 4, "sessionExpiresAt", "2026-05-09T00:00:00Z"), FETCHED,
				FETCHED.plus(Duration.ofMinutes(2)), false, null, null, null,
				List.of(new ExpiringSoon(ExpiringSoon.Kind.SESSION, null, null, null, null,
						Instant.parse("2026-05-09T00:00:00Z"))),
				Forecast.NONE);
		AccountBalance klingArrears = new AccountBalance("kling", "team-b", "units", new BigDecimal("40.0"),
				new BigDecimal("100.0"),
				List.of(new ProductBalance("image", new BigDecimal("40.0"), new BigDecimal("100.0"), Forecast.NONE,
						List.of())),
				List.of(new Grant("73aa0c0e9c7d4d1f8a3b52e0c2f4d9b1", "Image Generation - 100 units", "image",
						"decreasing_total", GrantStatus.ACTIVE, "online", new BigDecimal("100.0"), new BigDecimal("40.0"),
						Instant.parse("2026-02-01T00:00:00Z"), Instant.parse("2027-02-01T00:00:00Z"))),
				Map.of(), FETCHED.minus(Duration.ofHours(3)), FETCHED.minus(Duration.ofHours(3)).plus(Duration.ofMinutes(10)),
				true, Duration.ofHours(12), null,
				new AccountError(ErrorCode.ACCOUNT_IN_ARREARS, "Kling answered 429 with code 1101: the account is in arrears.",
						429, FETCHED),
				List.of(), Forecast.NONE);
		AccountBalance useapiUnknown = new AccountBalance("useapi", "second@example.com", "credits", null, null,
				List.of(), List.of(), Map.of(), null, null, false, null, null,
				new AccountError(ErrorCode.UPSTREAM_TIMEOUT, "No answer within 60 s, retries included.", null, FETCHED),
				List.of(), Forecast.NONE);
		ProviderTotal noOther = new ProviderTotal("kling", "other", "units", BigDecimal.ZERO, BigDecimal.ZERO, 0, true,
				false, new Forecast(null, null, null, null, null));
		BalancesResponse full = new BalancesResponse(FETCHED, true, List.of(klingGood, klingMixed, useapiGood),
				List.of(new ProviderTotal("kling", "video", "units", new BigDecimal("148.0"), new BigDecimal("1200.0"), 2,
						true, false, new Forecast(new BigDecimal("26.5"), Instant.parse("2026-05-17T10:00:00Z"),
								pendingStart, new Forecast.ExpiringUnused(BigDecimal.ZERO, null),
								new Forecast.Basis(FETCHED.minus(Duration.ofDays(7)), FETCHED, 800))),
						new ProviderTotal("kling", "image", "units", new BigDecimal("40.0"), new BigDecimal("500.0"), 1, true,
								false, mixedImage),
						noOther,
						new ProviderTotal("useapi", "credits", "credits", new BigDecimal("420"), new BigDecimal("660"), 1,
								true, false, Forecast.NONE)),
				List.of());
		BalancesResponse partial = new BalancesResponse(FETCHED, false,
				List.of(klingGood, klingArrears, useapiGood, useapiUnknown),
				List.of(new ProviderTotal("kling", "video", "units", new BigDecimal("118.0"), new BigDecimal("200.0"), 1,
						true, false, videoForecast),
						new ProviderTotal("kling", "image", "units", new BigDecimal("40.0"), new BigDecimal("100.0"), 1, true,
								true, Forecast.NONE),
						noOther,
						new ProviderTotal("useapi", "credits", "credits", new BigDecimal("420"), new BigDecimal("660"), 1,
								false, false, Forecast.NONE)),
				List.of());
		BalancesResponse providerDown = new BalancesResponse(FETCHED, false, List.of(klingGood),
				List.of(new ProviderTotal("kling", "video", "units", new BigDecimal("118.0"), new BigDecimal("200.0"), 1,
						true, false, videoForecast),
						new ProviderTotal("kling", "image", "units", BigDecimal.ZERO, BigDecimal.ZERO, 0, true, false,
								new Forecast(null, null, null, null, null)),
						noOther,
						// The account list is unknown: no figures, not a zero (BalanceService's rule).
						new ProviderTotal("useapi", "credits", "credits", null, null, 0, false, false, Forecast.NONE)),
				List.of(new ProviderError("useapi", new AccountError(ErrorCode.UPSTREAM_UNAVAILABLE,
						"useapi.net answered 503 while listing the accounts.", 503, FETCHED))));

		Map<String, Example> examples = new LinkedHashMap<>();
		examples.put("balances-full", example("Every account read", full, jsonMapper));
		examples.put("balances-partial", example(
				"Partial: one account in arrears (last good figures, stale), one timed out (no figures)", partial,
				jsonMapper));
		examples.put("balances-provider-down", example(
				"Partial: useapi.net's account list could not be read, so its accounts are missing", providerDown,
				jsonMapper));
		examples.put("account-ok", example("An account read just now", klingGood, jsonMapper));
		// team-a and team-c draw from video packs expiring on the same day: team-a has more left.
		NextAccount.DrawsFrom teamA = new NextAccount.DrawsFrom("509f3fd3d4ab4a3f9eec5db27aa44f27",
				"Video Generation - 200 units", Instant.parse("2027-01-10T00:00:00Z"));
		NextAccount.DrawsFrom teamC = new NextAccount.DrawsFrom("8d2f0a51c3e94b7e8a6f4b3c2d1e0f9a",
				"Video Generation - 1,000 entries", Instant.parse("2027-01-10T00:00:00Z"));
		String firstReason = "Its video capacity expires at 2027-01-10T00:00:00Z, like the next one's, and it has the most left (114.75).";
		examples.put("next-account", example("The account for a video job needing 20 units, and the other candidate",
				new NextAccount("kling", "team-a", "video", "units", new BigDecimal("20"), new BigDecimal("118.0"),
						new BigDecimal("114.75"), teamA, firstReason + " Chosen among 2 accounts with at least 20 video left.",
						List.of(new NextAccount.Candidate("kling", "team-a", 1, null, new BigDecimal("118.0"),
								new BigDecimal("114.75"), teamA, firstReason),
								new NextAccount.Candidate("kling", "team-c", 2, null, new BigDecimal("30.0"), null, teamC,
										"Expires like kling/team-a's but less is left (30.0)."))),
				jsonMapper));
		examples.put("account-mixed", example(
				"An account holding video and image packs: no account-wide figure, one entry per product; the video "
						+ "pack runs out before the pending one starts",
				klingMixed, jsonMapper));
		examples.put("account-error", example("An account whose latest fetch failed: last good figures, stale",
				klingArrears, jsonMapper));
		for (ProblemCode code : ProblemCode.values()) {
			ProblemDetail problem = ProblemRenderer.problem(code, code.status(), code.example().detail(),
					code.example().instance());
			code.example().properties().forEach(problem::setProperty);
			examples.put(exampleName(code),
					new Example().summary(code.name() + ": " + code.meaning()).value(ProblemRenderer.members(problem)));
		}
		return examples;
	}

	private static Example example(String summary, Object value, JsonMapper jsonMapper) {
		return new Example().summary(summary)
			.value(jsonMapper.readValue(jsonMapper.writeValueAsBytes(value), new TypeReference<Map<String, Object>>() {
			}));
	}

}
