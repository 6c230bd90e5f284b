package dev.klingbalances.upstream;

import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;

import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.FailureClass;
import dev.klingbalances.provider.UpstreamException;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The circuit-breaker policy as {@code application.yml} configures it, driven call by call (no
 * clock, no sleeps): only an upstream that is down counts as a failure, only a real answer as a
 * success, and every refusal (our bulkhead, a 429, a refused token, an account state, an
 * unreadable answer) is ignored, so it cannot dilute the failure rate of an outage.
 */
class CircuitBreakerPolicyTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withInitializer(new ConfigDataApplicationContextInitializer())
		.withConfiguration(AutoConfigurations.of(CircuitBreakerAutoConfiguration.class));

	@ParameterizedTest
	@ValueSource(strings = { "kling", "useapi" })
	void opensDuringAnOutageHoweverManyCallsOurOwnBulkheadRefuses(String instance) {
		withCircuitBreaker(instance, (circuitBreaker) -> {
			// Given an outage, during which most calls never get past our own bulkhead or are
			// rate-limited by the upstream
			for (int round = 0; round < 10; round++) {
				fail(circuitBreaker, unavailable());
				for (int refused = 0; refused < 3; refused++) {
					fail(circuitBreaker, BulkheadFullException.createBulkheadFullException(Bulkhead.ofDefaults(instance)));
				}
				fail(circuitBreaker, new UpstreamException(ErrorCode.THROTTLED, "429", 429));
			}

			// Then the refusals counted neither way, and the outage opened the circuit
			assertThat(circuitBreaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
			CircuitBreaker.Metrics metrics = circuitBreaker.getMetrics();
			assertThat(metrics.getNumberOfSuccessfulCalls()).isZero();
			assertThat(metrics.getNumberOfFailedCalls()).isEqualTo(10);
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "kling", "useapi" })
	void countsRealAnswersAsSuccessesAndIgnoresEveryOtherRefusal(String instance) {
		withCircuitBreaker(instance, (circuitBreaker) -> {
			for (int i = 0; i < 6; i++) {
				circuitBreaker.executeSupplier(() -> "an answer");
			}
			for (ErrorCode code : ErrorCode.values()) {
				fail(circuitBreaker, new UpstreamException(code, code.name(), null));
			}
			fail(circuitBreaker, new IllegalStateException("not an upstream outcome"));

			CircuitBreaker.Metrics metrics = circuitBreaker.getMetrics();
			assertThat(metrics.getNumberOfSuccessfulCalls()).isEqualTo(6);
			assertThat(metrics.getNumberOfFailedCalls()).isEqualTo(
					Arrays.stream(ErrorCode.values())
						.filter((code) -> code.failureClass() == FailureClass.UNAVAILABLE && code != ErrorCode.STORE_UNAVAILABLE)
						.count());
			assertThat(metrics.getNumberOfBufferedCalls()).isEqualTo(6 + metrics.getNumberOfFailedCalls());
		});
	}

	@ParameterizedTest
	@EnumSource(ErrorCode.class)
	void theTwoPredicatesSplitEveryErrorCodeIntoCountedOrIgnored(ErrorCode code) {
		UpstreamException failure = new UpstreamException(code, code.name(), null);
		// STORE_UNAVAILABLE: the upstream was not called, so it says nothing of the upstream's health
		boolean unavailable = code.failureClass() == FailureClass.UNAVAILABLE && code != ErrorCode.STORE_UNAVAILABLE;

		assertThat(new UnavailableUpstreamFailure().test(failure)).isEqualTo(unavailable);
		assertThat(new IgnoredUpstreamFailure().test(failure)).isEqualTo(!unavailable);
	}

	@ParameterizedTest
	@EnumSource(ErrorCode.class)
	void retriesOnlyWhatAnotherTryCanChange(ErrorCode code) {
		UpstreamException failure = new UpstreamException(code, code.name(), null);
		boolean retried = code.failureClass().retryable() && code != ErrorCode.STORE_UNAVAILABLE;

		assertThat(new RetryableUpstreamFailure().test(failure)).isEqualTo(retried);
		assertThat(new RetryableUpstreamFailure().test(PacingRefusedException.refused("busy", Duration.ofSeconds(1))))
			.as("a lane's refusal is final").isFalse();
	}

	private void withCircuitBreaker(String instance, Consumer<CircuitBreaker> test) {
		this.runner.run((context) -> test.accept(context.getBean(CircuitBreakerRegistry.class).circuitBreaker(instance)));
	}

	private static UpstreamException unavailable() {
		return new UpstreamException(ErrorCode.UPSTREAM_UNAVAILABLE, "503", 503);
	}

	/** One call through the breaker that ends in {@code failure} (or is not permitted at all). */
	private static void fail(CircuitBreaker circuitBreaker, RuntimeException failure) {
		try {
			circuitBreaker.executeRunnable(() -> {
				throw failure;
			});
		}
		catch (RuntimeException expected) {
			// the failure itself, or CallNotPermittedException once open
		}
	}

}
