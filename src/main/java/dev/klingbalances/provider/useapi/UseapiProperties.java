package dev.klingbalances.provider.useapi;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;

import dev.klingbalances.upstream.UpstreamHttpProperties;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings for the useapi.net provider, which reads Kling web accounts through one useapi.net
 * API token.
 * <p>
 * The token carries no constraint annotation on purpose: a failed constraint prints the
 * rejected value in Boot's startup failure report, and the token must never be printed.
 *
 * @param baseUrl useapi.net API root
 * @param token useapi.net API token; absent or blank means the provider reports no accounts
 * and never calls useapi.net
 * @param emails Kling web accounts to report; empty means discover them with
 * {@code GET /v1/kling/accounts}
 * @param cacheTtl how long a successful snapshot counts as fresh
 * @param requestsPerSecond ceiling for all calls made with the token (discovery, every account,
 * retries), enforced as a minimum interval of 1 s / this value between calls
 * @param pacingMargin added to that interval, because requests spaced exactly at send time can
 * arrive closer together (a slow connection set-up delays one, not the next)
 * @param maxRetryAfter longest {@code Retry-After} honoured; a longer one is cut to this (a
 * broken or hostile header must not freeze every useapi.net account, which share one token)
 * @param http transport limits
 */
@ConfigurationProperties("balances.useapi")
@Validated
record UseapiProperties(
		@NotNull @Pattern(regexp = "https?://\\S+",
				message = "balances.useapi.base-url must be an http(s) URL") @DefaultValue("https://api.useapi.net") String baseUrl,
		@Nullable String token,
		@NotNull @DefaultValue List<
				@NotNull @Size(max = UseapiProperties.MAX_EMAIL_LENGTH,
						message = "balances.useapi.emails entries must be at most 254 characters") @Pattern(
								regexp = UseapiProperties.EMAIL_PATTERN,
								message = "balances.useapi.emails entries must look like e-mail addresses (local@domain, no spaces or control characters)") String> emails,
		@NotNull @DefaultValue("2m") Duration cacheTtl,
		@Positive(message = "balances.useapi.requests-per-second must be greater than 0") @DefaultValue("2") double requestsPerSecond,
		@NotNull @DefaultValue("100ms") Duration pacingMargin,
		@NotNull @DurationMin(seconds = 1) @DefaultValue("10m") Duration maxRetryAfter,
		@NotNull @Valid @DefaultValue @NestedConfigurationProperty UpstreamHttpProperties http) {

	/** RFC 5321's limit on a forward path, the practical maximum length of an address. */
	static final int MAX_EMAIL_LENGTH = 254;

	/**
	 * Deliberately loose (unicode and RFC 5322 specials such as {@code +}, {@code %} and
	 * {@code /} are allowed): one {@code @} between a non-empty local part and domain, and
	 * no whitespace, control, format or separator characters that could forge log lines or
	 * break a URL path.
	 */
	static final String EMAIL_PATTERN = "[^@\\s\\p{Cc}\\p{Cf}\\p{Z}]+@[^@\\s\\p{Cc}\\p{Cf}\\p{Z}]+";

	private static final java.util.regex.Pattern EMAIL = java.util.regex.Pattern.compile(EMAIL_PATTERN);

	UseapiProperties {
		// A token read from a mounted file often ends with a newline; blank means "not configured".
		token = (token == null || token.isBlank()) ? null : token.strip();
		// Duplicates would only fetch the same account twice.
		emails = (emails != null) ? List.copyOf(new LinkedHashSet<>(emails)) : List.of();
		http = (http != null) ? http : UpstreamHttpProperties.defaults();
		pacingMargin = (pacingMargin != null) ? pacingMargin : Duration.ofMillis(100);
		maxRetryAfter = (maxRetryAfter != null) ? maxRetryAfter : Duration.ofMinutes(10);
	}

	boolean hasToken() {
		return this.token != null;
	}

	/** The same rule as the {@code emails} constraints, for accounts discovered upstream. */
	static boolean looksLikeEmail(@Nullable String candidate) {
		return candidate != null && candidate.length() <= MAX_EMAIL_LENGTH && EMAIL.matcher(candidate).matches();
	}

	/** Gap between two calls with the token: 1 s / requests-per-second, plus the pacing margin. */
	Duration minInterval() {
		return Duration.ofNanos(Math.round(1_000_000_000d / this.requestsPerSecond)).plus(this.pacingMargin);
	}

	@Override
	public String toString() {
		return "UseapiProperties[baseUrl=" + this.baseUrl + ", token=" + (hasToken() ? "(set)" : "(not set)")
				+ ", emails=" + this.emails + ", cacheTtl=" + this.cacheTtl + ", requestsPerSecond="
				+ this.requestsPerSecond + ", pacingMargin=" + this.pacingMargin + ", maxRetryAfter="
				+ this.maxRetryAfter + ", http=" + this.http + "]";
	}

}
