package dev.klingbalances.security;

import java.io.IOException;

import dev.klingbalances.balance.AccountScope;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.HeaderWriterFilter;

/**
 * The security filter chain's own decisions, for a request answered ahead of it (the cached read
 * path, {@code dev.klingbalances.fastpath}): the very API key filter, consumer rate limiter and
 * header writer objects the chain runs, taken from it, so both paths check the same hashes, spend
 * the same budgets and write the same refusals and headers. What the chain's authorization rules
 * would decide is not repeated here: a request without a key ({@link Caller#isAnonymous()}) is
 * left to the chain.
 */
public final class ConsumerGate {

	private final @Nullable ApiKeyAuthenticationFilter keys;

	private final @Nullable ConsumerRateLimitFilter limits;

	private final @Nullable HeaderWriterFilter headers;

	private ConsumerGate(@Nullable ApiKeyAuthenticationFilter keys, @Nullable ConsumerRateLimitFilter limits,
			@Nullable HeaderWriterFilter headers) {
		this.keys = keys;
		this.limits = limits;
		this.headers = headers;
	}

	/**
	 * @param keysRequired whether the chain was built with API keys (then it must hold the key
	 * filter and the rate limiter)
	 */
	static ConsumerGate of(SecurityFilterChain chain, boolean keysRequired) {
		ApiKeyAuthenticationFilter keys = find(chain, ApiKeyAuthenticationFilter.class);
		ConsumerRateLimitFilter limits = find(chain, ConsumerRateLimitFilter.class);
		if (keysRequired && (keys == null || limits == null)) {
			throw new IllegalStateException("The security filter chain has no API key filter or rate limiter");
		}
		return new ConsumerGate(keys, limits, find(chain, HeaderWriterFilter.class));
	}

	private static <F extends Filter> @Nullable F find(SecurityFilterChain chain, Class<F> type) {
		return chain.getFilters().stream().filter(type::isInstance).map(type::cast).findFirst().orElse(null);
	}

	/** Who sends the request, as the API key filter sees it. Writes nothing, spends nothing. */
	public Caller identify(HttpServletRequest request) {
		if (this.keys == null) {
			return Caller.OPEN;
		}
		try {
			Authentication consumer = this.keys.authenticate(request);
			return (consumer != null) ? new Caller(consumer, null, false) : Caller.ANONYMOUS;
		}
		catch (AuthenticationException ex) {
			return new Caller(null, ex, false);
		}
	}

	/**
	 * Lets the caller in as the chain would, then runs {@code answer}: a refused key is answered
	 * 401, a consumer over its rate limit 429 (a request is taken from its budget), and every
	 * answer gets the chain's security headers.
	 * @param caller from {@link #identify}, not anonymous
	 */
	public void serve(HttpServletRequest request, HttpServletResponse response, Caller caller, FilterChain answer)
			throws IOException, ServletException {
		if (caller.isAnonymous()) {
			throw new IllegalArgumentException("An anonymous request is the security filter chain's to decide");
		}
		FilterChain admitted = (rq, rs) -> admit((HttpServletRequest) rq, (HttpServletResponse) rs, caller, answer);
		if (this.headers != null) {
			this.headers.doFilter(request, response, admitted);
		}
		else {
			admitted.doFilter(request, response);
		}
	}

	private void admit(HttpServletRequest request, HttpServletResponse response, Caller caller, FilterChain answer)
			throws IOException, ServletException {
		if (caller.refusal != null && this.keys != null) {
			this.keys.refuse(request, response, caller.refusal);
			return;
		}
		if (caller.consumer == null || this.limits == null) {
			answer.doFilter(request, response);
			return;
		}
		String name = caller.consumer.getName();
		ApiKeyAuthenticationFilter.asConsumer(request, response, name, (rq, rs) -> {
			if (this.limits.admit((HttpServletRequest) rq, (HttpServletResponse) rs, name)) {
				answer.doFilter(rq, rs);
			}
		});
	}

	/** A request's sender: open mode, no key, a consumer, or a key that was refused. */
	public static final class Caller {

		static final Caller OPEN = new Caller(null, null, false);

		static final Caller ANONYMOUS = new Caller(null, null, true);

		private final @Nullable Authentication consumer;

		private final @Nullable AuthenticationException refusal;

		private final boolean anonymous;

		private Caller(@Nullable Authentication consumer, @Nullable AuthenticationException refusal, boolean anonymous) {
			this.consumer = consumer;
			this.refusal = refusal;
			this.anonymous = anonymous;
		}

		/** No key where keys are required: the chain's authorization rules decide. */
		public boolean isAnonymous() {
			return this.anonymous;
		}

		/** Whether the caller is refused whatever it asks for (its key is not valid). */
		public boolean isRefused() {
			return this.refusal != null;
		}

		/** The accounts the caller may see: every account in open mode. */
		public AccountScope scope() {
			return (this.consumer instanceof AccountScope.Scoped scoped) ? scoped.scope() : AccountScope.ALL;
		}

		@Override
		public String toString() {
			return "Caller[" + ((this.consumer != null) ? this.consumer.getName()
					: this.anonymous ? "anonymous" : (this.refusal != null) ? "refused" : "open") + "]";
		}

	}

}
