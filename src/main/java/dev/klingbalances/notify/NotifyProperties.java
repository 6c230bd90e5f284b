package dev.klingbalances.notify;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.validation.annotation.Validated;

/**
 * Webhook notifications of the alert conditions ({@code balances.alerts.*}). Nothing is sent,
 * and nothing is evaluated, without a webhook.
 * <p>
 * A webhook's URL and secret are secrets (a Slack incoming-webhook URL alone lets anyone post
 * to the channel): they are checked by global errors whose messages name the webhook, never by
 * field constraints, whose rejected value Boot's failure analyzer would print.
 *
 * @param webhooks where notifications go
 * @param hysteresis how far past its threshold a firing condition must get before it resolves
 * (0.05: a low balance at threshold 1000 resolves above 1050; a 14-day run-out window resolves
 * beyond 14.7 days)
 * @param connectTimeout TCP (and TLS) connect timeout of one delivery attempt
 * @param timeout one delivery attempt, from sending the request to the response's headers
 * @param queueCapacity notices that may wait per webhook in the outbox (in memory, or in Redis
 * with the Redis store); while it is full, new transitions are not recorded (a warning says so)
 * and are seen again at the next evaluation, so a dead receiver never holds more than this
 * @param retryWait the wait after a delivery attempt that failed (no answer, a timeout, 408, 429,
 * 5xx); it doubles after each further failed attempt
 * @param maxRetryWait the longest wait between two attempts
 * @param giveUpAfter how long a notice is tried, from its transition; then it is dropped with a
 * warning and counted ({@code outcome="expired"})
 * @param outboxCheckInterval how often the leading replica looks for notices due (a retry whose
 * wait is over, or notices another replica queued or left behind)
 */
@Validated
@ConfigurationProperties("balances.notify")
record NotifyProperties(@NotNull @DefaultValue List<@Valid @NotNull Webhook> webhooks,
		@DecimalMin("0.0") @DecimalMax("1.0") @DefaultValue("0.05") double hysteresis,
		@NotNull @DurationMin(millis = 1) @DefaultValue("2s") Duration connectTimeout,
		@NotNull @DurationMin(millis = 1) @DefaultValue("5s") Duration timeout,
		@Min(1) @Max(100_000) @DefaultValue("1000") int queueCapacity,
		@NotNull @DurationMin(millis = 1) @DefaultValue("2s") Duration retryWait,
		@NotNull @DurationMin(millis = 1) @DefaultValue("5m") Duration maxRetryWait,
		@NotNull @DurationMin(seconds = 1) @DefaultValue("24h") Duration giveUpAfter,
		@NotNull @DurationMin(millis = 10) @DefaultValue("1s") Duration outboxCheckInterval) implements Validator {

	private static final String PREFIX = "balances.notify.webhooks";

	/** Shortest accepted signing secret: 32 characters, e.g. {@code openssl rand -hex 32} gives 64. */
	static final int MIN_SECRET_LENGTH = 32;

	NotifyProperties {
		webhooks = (webhooks != null) ? List.copyOf(webhooks) : List.of();
	}

	@Override
	public boolean supports(Class<?> type) {
		return NotifyProperties.class.isAssignableFrom(type);
	}

	/** Checks that involve the URL or the secret. Messages name the webhook, never the URL or the secret. */
	@Override
	public void validate(Object target, Errors errors) {
		NotifyProperties properties = (NotifyProperties) target;
		Map<String, Integer> names = new HashMap<>();
		for (int i = 0; i < properties.webhooks().size(); i++) {
			Webhook webhook = properties.webhooks().get(i);
			String where = PREFIX + "[" + i + "] (name '" + webhook.name() + "')";
			if (webhook.name() != null) {
				Integer first = names.putIfAbsent(webhook.name(), i);
				if (first != null) {
					errors.reject("notify.duplicateName",
							where + ": the name is already used by " + PREFIX + "[" + first + "]");
				}
			}
			if (webhook.uri() == null) {
				errors.reject("notify.url", where + ".url must be an absolute http:// or https:// URL with a host"
						+ " and without user info (the URL is not shown: it may be a secret)");
			}
			if (webhook.format() == Format.JSON && webhook.secret() == null) {
				errors.reject("notify.secretRequired", where + ".secret is required with format json: receivers"
						+ " verify the X-Kling-Balances-Signature header with it");
			}
			if (webhook.secret() != null && webhook.secret().length() < MIN_SECRET_LENGTH) {
				errors.reject("notify.secretLength", where + ".secret must be at least " + MIN_SECRET_LENGTH
						+ " characters (e.g. openssl rand -hex 32); the secret is not shown");
			}
		}
	}

	/** How a notification is put on the wire. */
	enum Format {

		/** A Slack incoming-webhook message: {@code {"text": "..."}}. */
		SLACK,
		/** The documented JSON event, signed with the webhook's secret. */
		JSON

	}

	/**
	 * One receiver.
	 *
	 * @param name names the webhook in logs and metrics (its URL never appears there)
	 * @param url where to POST; http or https
	 * @param format {@code slack} or {@code json}
	 * @param secret HMAC-SHA256 key of the signature header; required with {@code json}, optional
	 * with {@code slack} (Slack ignores the header; a Slack-compatible receiver may check it)
	 * @param types the event types sent to this webhook; empty = all
	 */
	record Webhook(
			@NotNull @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}",
					message = "must be 1 to 63 lower-case letters, digits or '-', starting with a letter or digit") String name,
			@Nullable String url, @NotNull @DefaultValue("json") Format format, @Nullable String secret,
			@NotNull @DefaultValue Set<EventType> types) {

		Webhook {
			url = (url == null || url.isBlank()) ? null : url.strip();
			// A mounted secret file often ends with a newline.
			secret = (secret == null || secret.isBlank()) ? null : secret.strip();
			types = (types == null || types.isEmpty()) ? Set.of() : Set.copyOf(EnumSet.copyOf(types));
		}

		/** The URL, or null when it is not an absolute http(s) URL with a host and without user info. */
		@Nullable URI uri() {
			if (this.url == null) {
				return null;
			}
			try {
				URI uri = new URI(this.url);
				String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
				boolean http = scheme.equals("http") || scheme.equals("https");
				return (http && uri.getHost() != null && uri.getRawUserInfo() == null) ? uri : null;
			}
			catch (URISyntaxException ex) {
				return null;
			}
		}

		/** The host, the only part of the URL that may be logged (a Slack URL's path is its secret). */
		String host() {
			URI uri = uri();
			return (uri != null) ? uri.getHost() : "?";
		}

		boolean accepts(EventType type) {
			return this.types.isEmpty() || this.types.contains(type);
		}

		@Override
		public String toString() {
			return "Webhook[name=" + this.name + ", format=" + this.format + ", host=" + host() + ", signed="
					+ (this.secret != null) + ", types=" + (this.types.isEmpty() ? "all" : this.types) + "]";
		}

	}

}
