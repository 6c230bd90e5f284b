package dev.klingbalances.upstream;

import java.util.function.Predicate;

import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.FailureClass;
import dev.klingbalances.provider.UpstreamException;

/**
 * Resilience4j circuit-breaker predicate (named in {@code application.yml}): only an upstream
 * that is down or hanging counts as a failure. Refused credentials or an account in arrears
 * say nothing about the upstream's health and must not open the circuit for other accounts;
 * {@link IgnoredUpstreamFailure} keeps them from counting as successes either.
 */
public class UnavailableUpstreamFailure implements Predicate<Throwable> {

	@Override
	public boolean test(Throwable failure) {
		// The shared store being down says nothing about the upstream, which was not called.
		return failure instanceof UpstreamException upstream
				&& upstream.code().failureClass() == FailureClass.UNAVAILABLE
				&& upstream.code() != ErrorCode.STORE_UNAVAILABLE;
	}

}
