package dev.klingbalances.provider.useapi;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;

import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.provider.BalanceSnapshot;
import dev.klingbalances.provider.UpstreamException;
import dev.klingbalances.upstream.Fingerprint;
import dev.klingbalances.upstream.RequestLanes;
import dev.klingbalances.upstream.RetryAfter;
import dev.klingbalances.upstream.UpstreamFailures;
import dev.klingbalances.upstream.UpstreamWebClients;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.UriUtils;

/**
 * Calls useapi.net with the one configured token. Every attempt (discovery, each account,
 * each retry) waits its turn in the token's {@link RequestLanes lane}: one call at a time, each an
 * interval ({@code 1 / requests-per-second} plus the pacing margin) after the previous one's
 * end, so the configured requests-per-second is a ceiling for the token as a whole, on
 * arrival; then the bulkhead, circuit breaker and retry named {@code useapi} apply. Every failure leaves as an
 * {@link UpstreamException} whose message holds neither the token nor an upstream body.
 */
final class UseapiClient {

	static final String ACCOUNTS_PATH = "/v1/kling/accounts";


	private static final Logger logger = LoggerFactory.getLogger(UseapiClient.class);

	/**
	 * Strict parsing: exact decimals (never a float rounding of a credit figure), and no
	 * trailing garbage or duplicate keys, which would make the answer ambiguous.
	 */
	private static final JsonMapper JSON = JsonMapper.builder()
		.enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
				DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
		.build();

	private final WebClient webClient;

	private final String token;

	private final String baseUrl;

	private final Duration responseTimeout;

	private final Duration maxRetryAfter;

	private final RequestLanes.Lane lane;

	private final Retry retry;

	private final CircuitBreaker circuitBreaker;

	private final Bulkhead bulkhead;

	private final UseapiAccountMapper mapper;

	private final Clock clock;

	UseapiClient(UseapiProperties properties, WebClient.Builder webClientBuilder, RetryRegistry retryRegistry,
			CircuitBreakerRegistry circuitBreakerRegistry, BulkheadRegistry bulkheadRegistry, RequestLanes lanes,
			Clock clock) {
		if (properties.token() == null) {
			throw new IllegalArgumentException("balances.useapi.token is not set");
		}
		this.token = properties.token();
		this.baseUrl = properties.baseUrl().replaceAll("/+$", "");
		this.webClient = UpstreamWebClients.create(UseapiBalanceProvider.NAME, webClientBuilder, this.baseUrl,
				properties.http());
		this.responseTimeout = properties.http().responseTimeout();
		this.maxRetryAfter = properties.maxRetryAfter();
		// One token, so one lane; keyed by the token's fingerprint, never the token.
		this.lane = lanes.lane("useapi:" + Fingerprint.of(this.token), properties.minInterval(),
				RequestLanes.Turn.UNTIL_SENT);
		this.retry = retryRegistry.retry(UseapiBalanceProvider.NAME);
		this.circuitBreaker = circuitBreakerRegistry.circuitBreaker(UseapiBalanceProvider.NAME);
		this.bulkhead = bulkheadRegistry.bulkhead(UseapiBalanceProvider.NAME);
		this.mapper = new UseapiAccountMapper(clock);
		this.clock = clock;
	}

	/**
	 * {@code GET /v1/kling/accounts}: the configured e-mail addresses, sorted. useapi.net answers
	 * with an object keyed by e-mail. Its 404 (documented as "no account configured", but also what
	 * a wrong base URL or a broken route answers) is an error, never an empty list: an empty list
	 * would make every account, its history and its alerts disappear at once, while an error keeps
	 * the last known accounts with the error beside them.
	 */
	Mono<List<String>> discoverAccounts() {
		return call(URI.create(this.baseUrl + ACCOUNTS_PATH), (response) -> {
			int status = response.statusCode().value();
			if (response.statusCode().is2xxSuccessful()) {
				return readJson(response, status).map((body) -> accountNames(body, status));
			}
			if (status == 404) {
				return response.releaseBody()
					.then(Mono.error(() -> new UpstreamException(ErrorCode.ACCOUNT_NOT_FOUND,
							"useapi.net answered 404 to the account list: no Kling account is configured there, or "
									+ "balances.useapi.base-url does not point at its API; the last known accounts are kept",
							status)));
			}
			return failure(response, status);
		});
	}

	/** {@code GET /v1/kling/accounts/{email}}, the address encoded as one path segment. */
	Mono<BalanceSnapshot> fetch(String email) {
		return call(accountUri(email), (response) -> {
			int status = response.statusCode().value();
			if (response.statusCode().is2xxSuccessful()) {
				return readJson(response, status).map((body) -> this.mapper.map(body, status));
			}
			return failure(response, status);
		});
	}

	/**
	 * RFC 3986 path-segment encoding: {@code /}, {@code %}, spaces and non-ASCII are escaped,
	 * while {@code @} and {@code +} stay literal, exactly as useapi.net's own examples send
	 * them (escaping them too would depend on the server decoding them back). The URI is built
	 * whole because a URI template would encode the variable strictly, or re-encode the
	 * {@code %} of an already escaped segment.
	 */
	URI accountUri(String email) {
		return URI.create(this.baseUrl + ACCOUNTS_PATH + "/" + UriUtils.encodePathSegment(email, StandardCharsets.UTF_8));
	}

	private <T> Mono<T> call(URI uri, Function<ClientResponse, Mono<T>> onResponse) {
		// The timeout bounds the HTTP exchange only, not the wait for a pacer slot; failures are
		// classified inside the circuit breaker so that its predicate sees the error code.
		Mono<T> attempt = Mono
			.defer(() -> this.webClient.get()
				.uri(uri)
				.headers((headers) -> headers.setBearerAuth(this.token))
				.accept(MediaType.APPLICATION_JSON)
				.exchangeToMono(onResponse))
			.timeout(this.responseTimeout)
			.onErrorMap((failure) -> !(failure instanceof UpstreamException), UseapiClient::classify)
			.transformDeferred(BulkheadOperator.of(this.bulkhead))
			.transformDeferred(CircuitBreakerOperator.of(this.circuitBreaker));
		// One call at a time with the one token, the next one an interval after this one's end:
		// the ceiling holds where useapi.net counts it, on arrival, even when a call reached it
		// late (slow connection set-up, a busy machine).
		return this.lane.run(attempt)
			.transformDeferred(RetryOperator.of(this.retry))
			.onErrorMap(CallNotPermittedException.class,
					(ex) -> new UpstreamException(ErrorCode.UPSTREAM_UNAVAILABLE,
							"useapi.net calls are paused after repeated failures (circuit open)", null, null, ex))
			.onErrorMap(BulkheadFullException.class, (ex) -> new UpstreamException(ErrorCode.THROTTLED,
					"Too many concurrent calls to useapi.net", null, null, ex));
	}

	private Mono<JsonNode> readJson(ClientResponse response, int status) {
		return response.bodyToMono(byte[].class)
			.onErrorMap((ex) -> UpstreamFailures.hasCause(ex, DataBufferLimitException.class),
					(ex) -> new UpstreamException(ErrorCode.BAD_RESPONSE,
							"useapi.net answered with a body larger than balances.useapi.http.max-response-size",
							status, null, ex))
			.filter((bytes) -> bytes.length > 0)
			.map((bytes) -> parse(bytes, status))
			.filter((body) -> !body.isMissingNode())
			.switchIfEmpty(Mono.error(() -> new UpstreamException(ErrorCode.UPSTREAM_UNAVAILABLE,
					"useapi.net answered with an empty body", status)));
	}

	private static JsonNode parse(byte[] bytes, int status) {
		try {
			return JSON.readTree(bytes);
		}
		catch (JacksonException ex) {
			// No upstream text in the message: an HTML error page could echo anything.
			throw new UpstreamException(ErrorCode.BAD_RESPONSE, "useapi.net answered with a body that is not JSON",
					status, null, ex);
		}
	}

	private static List<String> accountNames(JsonNode body, int status) {
		if (!body.isObject()) {
			throw new UpstreamException(ErrorCode.BAD_RESPONSE, "useapi.net returned an unreadable account list",
					status);
		}
		Collection<String> keys = body.propertyNames();
		TreeSet<String> emails = new TreeSet<>();
		for (String key : keys) {
			if (UseapiProperties.looksLikeEmail(key)) {
				emails.add(key);
			}
		}
		if (emails.size() < keys.size()) {
			// The keys themselves are not logged: they failed the check because they may hold
			// control characters.
			logger.warn("useapi.net listed {} account(s) whose key is not an e-mail address; skipped",
					keys.size() - emails.size());
		}
		return List.copyOf(emails);
	}

	private <T> Mono<T> failure(ClientResponse response, int status) {
		Duration retryAfter = RetryAfter.parse(response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER),
				this.clock.instant(), this.maxRetryAfter);
		if (retryAfter != null) {
			this.lane.holdOff(retryAfter);
		}
		return response.releaseBody().then(Mono.error(statusFailure(status, retryAfter)));
	}

	/** Classifies an answer that is not 2xx (and, for discovery, not 404). */
	static UpstreamException statusFailure(int status, @Nullable Duration retryAfter) {
		// useapi.net's own meanings first (its docs: 402 lapsed subscription, 404 unknown account).
		ErrorCode code = switch (status) {
			case 402 -> ErrorCode.SUBSCRIPTION_REQUIRED;
			case 404 -> ErrorCode.ACCOUNT_NOT_FOUND;
			default -> UpstreamFailures.byStatus(status);
		};
		String message = switch (code) {
			case AUTHENTICATION_FAILED -> "useapi.net refused the API token";
			case SUBSCRIPTION_REQUIRED -> "useapi.net requires an active subscription";
			case ACCOUNT_NOT_FOUND -> "useapi.net has no configuration for this account";
			case THROTTLED -> "useapi.net rate-limited the request";
			case UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT -> "useapi.net failed with HTTP " + status;
			case REQUEST_REJECTED -> "useapi.net rejected the request with HTTP " + status;
			default -> "useapi.net answered with unexpected HTTP " + status;
		};
		return new UpstreamException(code, message, status, retryAfter, null);
	}

	/** Everything that is not an HTTP answer: transport failures, timeouts, unreadable bodies. */
	static UpstreamException classify(Throwable failure) {
		UpstreamFailures.Transport transport = UpstreamFailures.transport(failure);
		String message = switch (transport) {
			case TOO_LARGE -> "useapi.net answered with a body larger than balances.useapi.http.max-response-size";
			case UNREADABLE -> "useapi.net answered with a body that is not JSON";
			case RESPONSE_TIMEOUT -> "useapi.net did not answer within balances.useapi.http.response-timeout";
			case CONNECT_TIMEOUT -> "useapi.net did not accept a connection within balances.useapi.http.connect-timeout";
			case REFUSED, BROKEN -> "useapi.net could not be reached or cut the connection";
		};
		return new UpstreamException(transport.code(), message, null, null, failure);
	}

}
