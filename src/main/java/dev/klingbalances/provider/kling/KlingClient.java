package dev.klingbalances.provider.kling;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.klingbalances.provider.BalanceSnapshot;
import dev.klingbalances.provider.UpstreamException;
import dev.klingbalances.upstream.RetryAfter;
import dev.klingbalances.upstream.UpstreamFailures;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * One HTTP exchange with {@code GET /account/costs}. Every failure comes out as an
 * {@link UpstreamException}; pacing, retries and circuit breaking are the caller's.
 */
final class KlingClient {

	private static final byte[] NO_BODY = new byte[0];

	private final WebClient webClient;

	private final Duration lookback;

	private final Duration attemptTimeout;

	private final Duration maxRetryAfter;

	private final Clock clock;

	private final KlingProducts products;

	KlingClient(WebClient webClient, KlingProperties properties, KlingProducts products, Clock clock) {
		this.products = products;
		this.webClient = webClient;
		this.lookback = properties.lookback();
		this.attemptTimeout = properties.http().responseTimeout();
		this.maxRetryAfter = properties.maxRetryAfter();
		this.clock = clock;
	}

	/**
	 * @param bearer the token to send
	 * @return the snapshot, or an {@link UpstreamException}
	 */
	Mono<BalanceSnapshot> costs(String bearer) {
		return Mono.defer(() -> {
			Instant end = this.clock.instant();
			Instant start = end.minus(this.lookback);
			return this.webClient.get()
				.uri((uri) -> uri.path("/account/costs")
					.queryParam("start_time", start.toEpochMilli())
					.queryParam("end_time", end.toEpochMilli())
					.build())
				.headers((headers) -> {
					headers.setBearerAuth(bearer);
					headers.setContentType(MediaType.APPLICATION_JSON);
					headers.setAccept(List.of(MediaType.APPLICATION_JSON));
				})
				.exchangeToMono((response) -> {
					int status = response.statusCode().value();
					Duration retryAfter = RetryAfter.parse(
							response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER), this.clock.instant(),
							this.maxRetryAfter);
					return response.bodyToMono(byte[].class)
						.defaultIfEmpty(NO_BODY)
						.onErrorMap((ex) -> transportFailure(ex, status))
						.map((body) -> KlingCostsMapper.read(status, retryAfter, body, start, this.products));
				});
		})
			// Reactor Netty's response timeout is per read: a slowly dripping body would never trip it
			.timeout(this.attemptTimeout)
			.onErrorMap((ex) -> !(ex instanceof UpstreamException), (ex) -> transportFailure(ex, null));
	}

	/** A failure without a readable answer; {@code status} when the headers had arrived. */
	private static UpstreamException transportFailure(Throwable failure, @Nullable Integer status) {
		UpstreamFailures.Transport transport = UpstreamFailures.transport(failure);
		String message = switch (transport) {
			case TOO_LARGE -> "Kling's answer was larger than allowed.";
			case UNREADABLE -> "Kling's answer could not be read.";
			case RESPONSE_TIMEOUT, CONNECT_TIMEOUT -> "Kling did not answer in time.";
			case REFUSED -> "Could not connect to Kling.";
			case BROKEN -> "The connection to Kling failed.";
		};
		return new UpstreamException(transport.code(), message, status, null,
				(transport == UpstreamFailures.Transport.TOO_LARGE) ? null : failure);
	}

}
