package dev.klingbalances.provider.useapi;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.Products;
import dev.klingbalances.provider.BalanceProvider;
import dev.klingbalances.provider.BalanceSnapshot;
import dev.klingbalances.provider.UpstreamException;
import dev.klingbalances.upstream.RequestLanes;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.client.WebClient;

/**
 * Kling web accounts read through useapi.net, in Kling web credits (a different pool from the
 * official API's resource packs). Without a token the provider is present but reports no
 * accounts and never calls useapi.net.
 */
final class UseapiBalanceProvider implements BalanceProvider {

	static final String NAME = "useapi";

	static final String UNIT = "credits";

	private static final Logger logger = LoggerFactory.getLogger(UseapiBalanceProvider.class);

	private final UseapiProperties properties;

	private final @Nullable UseapiClient client;

	private final UseapiCapacity capacity;

	/**
	 * The provider as configured: without a token there is no client (no connection pool,
	 * nothing that could call useapi.net).
	 */
	static UseapiBalanceProvider create(UseapiProperties properties, WebClient.Builder webClientBuilder,
			RetryRegistry retryRegistry, CircuitBreakerRegistry circuitBreakerRegistry,
			BulkheadRegistry bulkheadRegistry, RequestLanes lanes, Clock clock, UseapiCapacity capacity) {
		UseapiClient client = properties.hasToken() ? new UseapiClient(properties, webClientBuilder, retryRegistry,
				circuitBreakerRegistry, bulkheadRegistry, lanes, clock) : null;
		return new UseapiBalanceProvider(properties, client, capacity);
	}

	/**
	 * @param client null exactly when no token is configured
	 * @param capacity told the number of accounts whenever it is known: now for configured
	 * e-mails (or none at all without a token), after each discovery otherwise
	 */
	UseapiBalanceProvider(UseapiProperties properties, @Nullable UseapiClient client, UseapiCapacity capacity) {
		this.properties = properties;
		this.client = client;
		this.capacity = capacity;
		if (client == null) {
			capacity.observe(0);
		}
		else if (!properties.emails().isEmpty()) {
			capacity.observe(properties.emails().size());
		}
	}

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public String displayName() {
		return "useapi.net";
	}

	/** Kling web credits pay for every kind of job alike: one pool. */
	@Override
	public List<String> products() {
		return List.of(Products.CREDITS);
	}

	@Override
	public String unit() {
		return UNIT;
	}

	@Override
	public Duration cacheTtl() {
		return this.properties.cacheTtl();
	}

	/** useapi.net reads the web account live; no lag is documented. */
	@Override
	public @Nullable Duration dataDelay() {
		return null;
	}

	@Override
	public Mono<List<String>> accounts() {
		if (this.client == null) {
			return Mono.just(List.of());
		}
		if (!this.properties.emails().isEmpty()) {
			return Mono.just(this.properties.emails());
		}
		return this.client.discoverAccounts()
			.doOnNext((accounts) -> this.capacity.observe(accounts.size()))
			.doOnError(UpstreamException.class,
					(ex) -> logger.warn("useapi.net account discovery failed: {}", ex.code()));
	}

	@Override
	public Mono<BalanceSnapshot> fetch(String account) {
		if (this.client == null) {
			return Mono.error(() -> new UpstreamException(ErrorCode.ACCOUNT_NOT_FOUND,
					"useapi.net is not configured (no token)", null));
		}
		// Never put a name that could not have come from accounts() into a URL or a log line.
		if (!UseapiProperties.looksLikeEmail(account)) {
			return Mono.error(() -> new UpstreamException(ErrorCode.ACCOUNT_NOT_FOUND,
					"Not a useapi.net account name", null));
		}
		return this.client.fetch(account)
			.doOnError(UpstreamException.class,
					(ex) -> logger.warn("useapi.net account {} failed: {}", account, ex.code()));
	}

}
