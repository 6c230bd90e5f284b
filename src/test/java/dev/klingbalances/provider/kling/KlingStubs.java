package dev.klingbalances.provider.kling;

import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.klingbalances.store.MemoryRequestLanes;
import dev.klingbalances.upstream.IgnoredUpstreamFailure;
import dev.klingbalances.upstream.RetryableUpstreamFailure;
import dev.klingbalances.upstream.UnavailableUpstreamFailure;
import dev.klingbalances.upstream.UpstreamHttpProperties;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import reactor.core.publisher.Mono;

import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.client.WebClient;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/** A Kling stand-in on 127.0.0.1 and providers wired to it with quick test policies. */
final class KlingStubs {

	static final String COSTS = "/account/costs";

	static final int MAX_ATTEMPTS = 3;

	static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);

	/** Generous timeouts: a cold JVM on a busy machine must not turn into a spurious timeout. */
	static final UpstreamHttpProperties HTTP = new UpstreamHttpProperties(Duration.ofSeconds(2),
			Duration.ofSeconds(3), DataSize.ofKilobytes(4), 16, 64);

	/** For the tests where the timeout is the behaviour. */
	static final UpstreamHttpProperties SHORT_TIMEOUT_HTTP = new UpstreamHttpProperties(Duration.ofSeconds(2),
			Duration.ofMillis(500), DataSize.ofKilobytes(4), 16, 64);

	final WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

	final RetryRegistry retries = RetryRegistry.of(RetryConfig.custom()
		.maxAttempts(MAX_ATTEMPTS)
		.waitDuration(Duration.ofMillis(10))
		.retryOnException(new RetryableUpstreamFailure())
		.build());

	final CircuitBreakerRegistry circuitBreakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
		.recordException(new UnavailableUpstreamFailure())
		.ignoreException(new IgnoredUpstreamFailure())
		.slidingWindowSize(100)
		.minimumNumberOfCalls(100)
		.build());

	final BulkheadRegistry bulkheads = BulkheadRegistry
		.of(BulkheadConfig.custom().maxConcurrentCalls(16).maxWaitDuration(Duration.ZERO).build());

	void start() {
		this.server.start();
	}

	void stop() {
		this.server.stop();
	}

	String baseUrl() {
		return "http://127.0.0.1:" + this.server.port();
	}

	KlingProperties properties(Duration minRequestInterval, KlingProperties.Account... accounts) {
		return properties(minRequestInterval, HTTP, accounts);
	}

	KlingProperties properties(Duration minRequestInterval, UpstreamHttpProperties http,
			KlingProperties.Account... accounts) {
		return new KlingProperties(baseUrl(), Duration.ofDays(400), Duration.ofMinutes(15), minRequestInterval,
				Duration.ofHours(12), Duration.ofMinutes(30), MAX_RETRY_AFTER, http,
				List.of(accounts), List.of());
	}

	/**
	 * Sends one request through a throwaway provider (its own credential and pacer), then forgets
	 * it: the first request of a cold JVM is slow to reach WireMock's journal, which would
	 * distort the gaps that the pacing tests measure.
	 */
	void warmUp() {
		KlingProperties.Account warmUp = new KlingProperties.Account("warm-up", null, null, "warm-up-key");
		RetryRegistry once = RetryRegistry.of(RetryConfig.custom().maxAttempts(1).build());
		provider(properties(Duration.ofMillis(20), warmUp), Clock.systemUTC(), once).fetch("warm-up")
			.onErrorResume((ex) -> Mono.empty())
			.block(Duration.ofSeconds(30));
		this.server.resetRequests();
		this.server.resetScenarios();
	}

	KlingBalanceProvider provider(KlingProperties properties, Clock clock) {
		return provider(properties, clock, this.retries);
	}

	KlingBalanceProvider provider(KlingProperties properties, Clock clock, RetryRegistry retries) {
		return new KlingBalanceProvider(properties, WebClient.builder(), retries, this.circuitBreakers,
				this.bulkheads, new MemoryRequestLanes(), clock);
	}

	/** Requests to {@code /account/costs}, in the order they arrived. */
	List<LoggedRequest> costsRequests() {
		return this.server.findAll(getRequestedFor(urlPathEqualTo(COSTS)))
			.stream()
			.sorted(Comparator.comparing(LoggedRequest::getLoggedDate))
			.toList();
	}

	static String ok(String infos) {
		return "{\"code\": 0, \"message\": \"SUCCEED\", \"request_id\": \"req-1\", "
				+ "\"data\": {\"code\": 0, \"msg\": \"SUCCEED\", \"resource_pack_subscribe_infos\": " + infos + "}}";
	}

	static final String ONE_PACK = ok("""
			[{"resource_pack_name": "Video Generation - 10,000 entries", "resource_pack_id": "p1",
			  "resource_pack_type": "decreasing_total", "total_quantity": 200.0, "remaining_quantity": 118.0,
			  "purchase_time": 1726124664368, "effective_time": 1726124664368, "invalid_time": 1727366400000,
			  "status": "online"}]""");

}
