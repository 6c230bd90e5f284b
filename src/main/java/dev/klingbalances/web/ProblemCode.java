package dev.klingbalances.web;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.klingbalances.model.ErrorCode;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;

/**
 * Every {@code code} this service's own errors (RFC 9457 problems) carry, with the status it
 * comes with and what it means. Clients switch on these names (or on {@link #type()}), so they
 * are part of the API contract: the OpenAPI {@code Problem} schema, the reusable error responses
 * and their examples are generated from this enum, and the contract tests check that no answer
 * carries a code that is not here.
 */
public enum ProblemCode {

	INVALID_PARAMETER(HttpStatus.BAD_REQUEST, "BadRequest",
			"A query parameter has a value this service does not accept, or the request is malformed (bad characters, "
					+ "encoded slashes, oversized values, a key in the URL); also any other 4xx without a code of its own",
			new Example("Parameter 'provider' must be one of [kling, useapi].", "/balances",
					Map.of("parameter", "provider"))),

	UNAUTHORIZED(HttpStatus.UNAUTHORIZED, "Unauthorized", "No API key, or one that is not valid",
			new Example("This endpoint needs an API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.",
					"/balances", Map.of()),
			HttpHeaders.WWW_AUTHENTICATE),

	FORBIDDEN(HttpStatus.FORBIDDEN, "Forbidden",
			"The endpoint exists but no API consumer may read it (closed actuator endpoints)",
			new Example("This endpoint is not available to API consumers.", "/actuator", Map.of())),

	NOT_FOUND(HttpStatus.NOT_FOUND, "NotFound", "Unknown provider, account or path",
			new Example("Provider 'kling' has no account with that name.", "/balances/kling/team-x", Map.of())),

	NO_CAPACITY(HttpStatus.NOT_FOUND, "NoCapacity",
			"GET /balances/next: no account can take a job of that product and need now; candidates lists every "
					+ "account considered with why it was left out",
			new Example("No account has at least 20 video left and can take a job now (2 considered); the candidates "
					+ "say why each was left out.", "/balances/next",
					Map.of("candidates", List.of(candidate("team-a", "BELOW_NEED", "12.5", "Only 12.5 video left (estimated), less than the 20 needed."),
							candidate("team-b", "ERROR", null, "Its latest fetch failed or is still running (ACCOUNT_IN_ARREARS)."))))),

	METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "MethodNotAllowed", "Only GET is served",
			new Example("Method 'POST' is not supported.", "/balances", Map.of())),

	NOT_ACCEPTABLE(HttpStatus.NOT_ACCEPTABLE, "NotAcceptable", "The Accept header excludes application/json",
			new Example("Acceptable representations: [application/json].", "/balances", Map.of())),

	REQUESTED_RANGE_NOT_SATISFIABLE(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE, "RangeNotSatisfiable",
			"A Range header asks for bytes a static resource (Swagger UI) does not have",
			new Example("Requested range not satisfiable", "/swagger-ui/index.html", Map.of())),

	EXPECTATION_FAILED(HttpStatus.EXPECTATION_FAILED, "ExpectationFailed",
			"An Expect header other than 100-continue (refused by the server before the application sees the request)",
			new Example("Expectation Failed", null, Map.of())),

	TOO_MANY_REQUESTS(HttpStatus.TOO_MANY_REQUESTS, "TooManyRequests",
			"This consumer exceeded its rate limit; wait Retry-After seconds",
			new Example("Consumer 'reporting' is limited to 10 requests per 1 s; retry after 1 s.", "/balances",
					Map.of()),
			HttpHeaders.RETRY_AFTER),

	INTERNAL_ERROR(HttpStatus.INTERNAL_SERVER_ERROR, "InternalError",
			"A bug in this service (logged on the server); also any other 5xx",
			new Example("An internal error occurred; it has been logged.", "/balances", Map.of())),

	ACCOUNT_LIST_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "AccountListUnavailable",
			"The provider's account list cannot be read right now, so it is unknown whether the account exists; "
					+ "retry after Retry-After seconds",
			new Example("The account list of provider 'useapi' is unavailable: useapi.net answered 503.",
					"/balances/useapi/artist@example.com",
					Map.of("upstreamError", ErrorCode.UPSTREAM_UNAVAILABLE.name())),
			HttpHeaders.RETRY_AFTER);

	private static final String TYPE_PREFIX = "urn:kling-balances:problem:";

	private final HttpStatus status;

	private final String response;

	private final String meaning;

	private final Example example;

	private final List<String> headers;

	ProblemCode(HttpStatus status, String response, String meaning, Example example, String... headers) {
		this.status = status;
		this.response = response;
		this.meaning = meaning;
		this.example = example;
		this.headers = List.of(headers);
	}

	/** One entry of the NO_CAPACITY example's candidates, as the service writes it. */
	private static Map<String, Object> candidate(String account, String excluded, @Nullable String left, String reason) {
		Map<String, Object> candidate = new LinkedHashMap<>();
		candidate.put("provider", "kling");
		candidate.put("account", account);
		candidate.put("rank", null);
		candidate.put("excluded", excluded);
		candidate.put("remaining", (left != null) ? new java.math.BigDecimal("30.0") : null);
		candidate.put("estimatedRemaining", (left != null) ? new java.math.BigDecimal(left) : null);
		candidate.put("drawsFrom", null);
		candidate.put("reason", reason);
		return candidate;
	}

	/**
	 * The code of an error that has no more specific one, by its status: a 5xx is
	 * {@link #INTERNAL_ERROR}, a 4xx the code of that status, or {@link #INVALID_PARAMETER}
	 * when no code has it (the request's own fault, so every answer carries a documented code).
	 */
	public static ProblemCode forStatus(HttpStatusCode status) {
		if (status.is5xxServerError()) {
			return INTERNAL_ERROR;
		}
		for (ProblemCode code : values()) {
			if (code.status.value() == status.value()) {
				return code;
			}
		}
		return INVALID_PARAMETER;
	}

	/** The status this code is answered with (an unmapped 4xx or 5xx keeps its own). */
	public HttpStatus status() {
		return this.status;
	}

	/** {@code urn:kling-balances:problem:} and the code in lower case, '_' as '-'. */
	public URI type() {
		return URI.create(TYPE_PREFIX + name().toLowerCase(Locale.ROOT).replace('_', '-'));
	}

	/** For humans: when this code is answered. */
	public String meaning() {
		return this.meaning;
	}

	/** Name of the reusable OpenAPI response ({@code #/components/responses/<name>}). */
	String response() {
		return this.response;
	}

	/** Names of the headers that come with this code, as {@code #/components/headers/<name>}. */
	List<String> headers() {
		return this.headers;
	}

	Example example() {
		return this.example;
	}

	/**
	 * What the OpenAPI example of this code shows.
	 * @param instance null when the answer has none (requests the server refuses before routing)
	 * @param properties the code's own extra members
	 */
	record Example(String detail, @Nullable String instance, Map<String, Object> properties) {
	}

}
