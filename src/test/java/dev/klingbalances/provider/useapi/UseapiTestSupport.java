package dev.klingbalances.provider.useapi;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

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
import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.client.WebClient;

/** Builds providers the way {@link UseapiConfiguration} does, with fast test policies. */
final class UseapiTestSupport {

	static final String TOKEN = "uapi-test-token-7f3a9c";

	static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

	static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

	static final int MAX_ATTEMPTS = 3;

	static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);

	private UseapiTestSupport() {
	}

	static UseapiProperties properties(String baseUrl, @Nullable String token, List<String> emails,
			double requestsPerSecond, UpstreamHttpProperties http) {
		return new UseapiProperties(baseUrl, token, emails, Duration.ofMinutes(2), requestsPerSecond, Duration.ZERO,
				MAX_RETRY_AFTER, http);
	}

	static UpstreamHttpProperties http(Duration responseTimeout, DataSize maxResponseSize) {
		return new UpstreamHttpProperties(Duration.ofSeconds(1), responseTimeout, maxResponseSize, 16, 64);
	}

	static RetryRegistry retries() {
		return RetryRegistry.of(RetryConfig.custom()
			.maxAttempts(MAX_ATTEMPTS)
			.waitDuration(Duration.ofMillis(20))
			.retryOnException(new RetryableUpstreamFailure())
			.build());
	}

	static CircuitBreakerRegistry circuitBreakers(int minimumCalls) {
		return CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
			.slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
			.slidingWindowSize(Math.max(minimumCalls, 2))
			.minimumNumberOfCalls(minimumCalls)
			.failureRateThreshold(50)
			.waitDurationInOpenState(Duration.ofMinutes(1))
			.recordException(new UnavailableUpstreamFailure())
			.ignoreException(new IgnoredUpstreamFailure())
			.build());
	}

	static BulkheadRegistry bulkheads() {
		return BulkheadRegistry
			.of(BulkheadConfig.custom().maxConcurrentCalls(16).maxWaitDuration(Duration.ZERO).build());
	}

	static UseapiBalanceProvider provider(UseapiProperties properties, CircuitBreakerRegistry circuitBreakers) {
		return UseapiBalanceProvider.create(properties, WebClient.builder(), retries(), circuitBreakers, bulkheads(),
				new dev.klingbalances.store.MemoryRequestLanes(), CLOCK, new UseapiCapacity(properties));
	}

}
