package dev.klingbalances.provider.kling;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.provider.BalanceProvider;
import dev.klingbalances.provider.BalanceSnapshot;
import dev.klingbalances.provider.UpstreamException;
import dev.klingbalances.upstream.RequestLanes;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.client.WebClient;

/**
 * Kling official API accounts, read from {@code GET /account/costs}.
 * <p>
 * Each attempt waits its turn in the credential's {@link RequestLanes lane} (Kling allows QPS ≤ 1
 * per account), then runs the HTTP call inside the {@code kling} bulkhead and circuit breaker;
 * the {@code kling} retry wraps the attempts. A refused token gets one retry with a freshly
 * signed token per fetch, paced like every other request.
 */
class KlingBalanceProvider implements BalanceProvider {

	static final String NAME = "kling";

	private static final Logger logger = LoggerFactory.getLogger(KlingBalanceProvider.class);

	private final KlingProperties properties;

	private final Map<String, Account> accounts;

	private final KlingClient client;

	private final Retry retry;

	private final CircuitBreaker circuitBreaker;

	private final Bulkhead bulkhead;

	private final Clock clock;

	private final KlingProducts products;

	KlingBalanceProvider(KlingProperties properties, WebClient.Builder webClientBuilder, RetryRegistry retries,
			CircuitBreakerRegistry circuitBreakers, BulkheadRegistry bulkheads, RequestLanes lanes, Clock clock) {
		this.properties = properties;
		this.accounts = new LinkedHashMap<>();
		for (KlingProperties.Account account : properties.accounts()) {
			KlingCredential credential = KlingCredential.of(account, properties.tokenTtl());
			this.accounts.put(account.id(),
					new Account(credential, lanes.lane("kling:" + credential.fingerprint(), properties.minRequestInterval(),
							RequestLanes.Turn.UNTIL_ANSWERED)));
		}
		WebClient webClient = UpstreamWebClients.create(NAME, webClientBuilder, properties.baseUrl(),
				properties.http());
		this.products = new KlingProducts(properties.products());
		this.client = new KlingClient(webClient, properties, this.products, clock);
		this.retry = retries.retry(NAME);
		this.circuitBreaker = circuitBreakers.circuitBreaker(NAME);
		this.bulkhead = bulkheads.bulkhead(NAME);
		this.clock = clock;
	}

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public String displayName() {
		return "Kling API";
	}

	@Override
	public String unit() {
		return "units";
	}

	@Override
	public List<String> products() {
		return KlingProducts.ALL;
	}

	/** Tells packs' products from their names. */
	KlingProducts productRules() {
		return this.products;
	}

	@Override
	public Duration cacheTtl() {
		return this.properties.cacheTtl();
	}

	@Override
	public Duration dataDelay() {
		return this.properties.dataDelay();
	}

	@Override
	public Mono<List<String>> accounts() {
		return Mono.just(List.copyOf(this.accounts.keySet()));
	}

	@Override
	public Mono<BalanceSnapshot> fetch(String account) {
		Account target = this.accounts.get(account);
		if (target == null) {
			return Mono.error(new UpstreamException(ErrorCode.ACCOUNT_NOT_FOUND,
					"No Kling account with this id is configured.", null));
		}
		return Mono.defer(() -> {
			// one fresh-token retry per fetch, however many times the retry policy tries again
			AtomicBoolean freshTokenTried = new AtomicBoolean();
			return attempt(target)
				.onErrorResume((ex) -> isAuthenticationFailure(ex) && freshTokenTried.compareAndSet(false, true),
						(ex) -> attempt(target))
				.transformDeferred(RetryOperator.of(this.retry));
		})
			.onErrorMap((ex) -> !(ex instanceof UpstreamException), KlingBalanceProvider::resilienceFailure)
			.doOnError(UpstreamException.class,
					(ex) -> logger.warn("Kling account {} could not be read: {}", account, ex.code()));
	}

	/**
	 * One paced request in the credential's lane, with the current token (signed after the wait,
	 * so a renewed token is really fresh), inside the bulkhead and the circuit breaker.
	 */
	private Mono<BalanceSnapshot> attempt(Account account) {
		KlingCredential credential = account.credential();
		return account.lane().run(Mono.defer(() -> {
			String bearer = credential.bearer(this.clock.instant());
			return this.client.costs(bearer).doOnError(UpstreamException.class, (ex) -> {
				if (ex.code() == ErrorCode.AUTHENTICATION_FAILED) {
					credential.rejected(bearer);
				}
				if (ex.retryAfter() != null) {
					account.lane().holdOff(ex.retryAfter());
				}
			});
		})
			.transformDeferred(BulkheadOperator.of(this.bulkhead))
			.transformDeferred(CircuitBreakerOperator.of(this.circuitBreaker)));
	}

	private static boolean isAuthenticationFailure(Throwable failure) {
		return failure instanceof UpstreamException upstream && upstream.code() == ErrorCode.AUTHENTICATION_FAILED;
	}

	private static UpstreamException resilienceFailure(Throwable failure) {
		if (failure instanceof CallNotPermittedException) {
			return new UpstreamException(ErrorCode.UPSTREAM_UNAVAILABLE,
					"Kling failed repeatedly; calls are paused for a while.", null, null, null);
		}
		if (failure instanceof BulkheadFullException) {
			return new UpstreamException(ErrorCode.THROTTLED, "Too many Kling requests are in flight.", null, null,
					null);
		}
		return new UpstreamException(ErrorCode.UPSTREAM_UNAVAILABLE, "Kling could not be reached.", null, null,
				failure);
	}

	@Override
	public String toString() {
		return "KlingBalanceProvider[accounts=" + this.accounts.keySet() + "]";
	}

	private record Account(KlingCredential credential, RequestLanes.Lane lane) {
	}

}
