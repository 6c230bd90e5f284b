package dev.klingbalances.provider.kling;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.PatternSyntaxException;

import dev.klingbalances.upstream.UpstreamHttpProperties;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.validation.annotation.Validated;

/**
 * Kling official API accounts and how this service talks to {@code GET /account/costs}.
 * <p>
 * Checks that involve a secret (credential form, credential reuse) are global errors whose
 * message names the property: Boot's failure analyzer prints the rejected value of a field
 * error, so no field error may ever be raised on a secret.
 *
 * @param baseUrl Kling API host (Singapore for servers outside China, Beijing for mainland)
 * @param lookback how far back to ask for packs; Kling filters by purchase time, so a short
 * window silently drops packs that are still live
 * @param cacheTtl how long a successful snapshot counts as fresh
 * @param minRequestInterval least time between two requests with one credential (Kling allows
 * QPS ≤ 1; the default adds a margin for network jitter)
 * @param dataDelay how far Kling's remaining quantities lag reality
 * @param tokenTtl lifetime of a signed JWT ({@code exp = now + ttl}); a cached JWT is re-signed
 * once a sixth of it is left (5 minutes of the default 30)
 * @param maxRetryAfter longest {@code Retry-After} honoured; a longer one is cut to this (a
 * broken or hostile header must not freeze an account indefinitely)
 * @param http transport limits
 * @param accounts the accounts to report, each with one credential form
 * @param products rules that tell a pack's product from its name, tried in order before the
 * defaults (video and image names in English and Chinese); a name no rule matches is
 * {@code other}
 */
@Validated
@ConfigurationProperties("balances.kling")
record KlingProperties(
		@NotBlank @DefaultValue("https://api-singapore.klingai.com") String baseUrl,
		@NotNull @DurationMin(seconds = 1) @DefaultValue("400d") Duration lookback,
		@NotNull @DurationMin(seconds = 1) @DefaultValue("15m") Duration cacheTtl,
		@NotNull @DurationMin(seconds = 1,
				message = "must be at least 1s: Kling allows one request per second per account") @DefaultValue("1100ms") Duration minRequestInterval,
		@NotNull @DurationMin(seconds = 0) @DefaultValue("12h") Duration dataDelay,
		@NotNull @DurationMin(seconds = 10) @DefaultValue("30m") Duration tokenTtl,
		@NotNull @DurationMin(seconds = 1) @DefaultValue("10m") Duration maxRetryAfter,
		@NotNull @Valid @DefaultValue @NestedConfigurationProperty UpstreamHttpProperties http,
		@NotNull @DefaultValue List<@Valid Account> accounts,
		@NotNull @DefaultValue List<ProductRule> products) implements Validator {

	private static final String PREFIX = "balances.kling";

	KlingProperties {
		accounts = (accounts != null) ? List.copyOf(accounts) : List.of();
		products = (products != null) ? List.copyOf(products) : List.of();
	}

	@Override
	public boolean supports(Class<?> type) {
		return KlingProperties.class.isAssignableFrom(type);
	}

	/** Cross-field checks. Messages name ids and indexes, never a key. */
	@Override
	public void validate(Object target, Errors errors) {
		KlingProperties properties = (KlingProperties) target;
		validateProducts(properties.products(), errors);
		Map<String, Integer> ids = new HashMap<>();
		Map<String, Integer> credentials = new HashMap<>();
		List<Account> accounts = properties.accounts();
		for (int i = 0; i < accounts.size(); i++) {
			Account account = accounts.get(i);
			String where = PREFIX + ".accounts[" + i + "]";
			if (account.id() != null) {
				Integer first = ids.putIfAbsent(account.id(), i);
				if (first != null) {
					errors.rejectValue("accounts[" + i + "].id", "kling.duplicateId", where + ".id '" + account.id()
							+ "' is already used by " + PREFIX + ".accounts[" + first + "]");
				}
			}
			if (!account.hasOneCredentialForm()) {
				errors.reject("kling.credentialForm", where + " (id '" + account.id()
						+ "') needs exactly one credential form: access-key and secret-key together, or api-key alone");
				continue;
			}
			Integer first = credentials.putIfAbsent(account.credentialIdentity(), i);
			if (first != null) {
				errors.reject("kling.duplicateCredential", where + " (id '" + account.id() + "') uses the same "
						+ (account.usesApiKey() ? "api-key" : "access-key") + " as " + PREFIX + ".accounts[" + first
						+ "] (id '" + accounts.get(first).id()
						+ "'): one credential configured twice would double its request rate");
			}
		}
	}

	/** Every rule needs a pattern that compiles and a product Kling packs can be of. */
	private static void validateProducts(List<ProductRule> rules, Errors errors) {
		for (int i = 0; i < rules.size(); i++) {
			ProductRule rule = rules.get(i);
			String where = PREFIX + ".products[" + i + "]";
			if (rule.pattern() == null || rule.pattern().isEmpty()) {
				errors.reject("kling.productPattern", where + ".pattern must not be empty (it would match every pack)");
			}
			else {
				try {
					KlingProducts.compile(rule.pattern());
				}
				catch (PatternSyntaxException ex) {
					errors.reject("kling.productPattern", where + ".pattern is not a valid regular expression: "
							+ ex.getDescription() + " near index " + ex.getIndex());
				}
			}
			if (rule.product() == null || !KlingProducts.ALL.contains(rule.product().toLowerCase(Locale.ROOT))) {
				errors.reject("kling.product", where + ".product must be one of " + KlingProducts.ALL + ", not '"
						+ rule.product() + "'");
			}
		}
	}

	/**
	 * One rule of {@code balances.kling.products}: packs whose name contains a match of
	 * {@code pattern} (a Java regular expression, case-insensitive) pay for {@code product}.
	 *
	 * @param pattern the regular expression, found anywhere in the pack's name
	 * @param product {@code video}, {@code image} or {@code other}
	 */
	record ProductRule(@Nullable String pattern, @Nullable String product) {
	}

	/**
	 * One Kling account. Keys are stripped of surrounding whitespace (a mounted secret file often
	 * ends with a newline); they are never validated by field constraints, so never printed.
	 *
	 * @param id name used in URLs ({@code /balances/kling/{id}})
	 * @param accessKey access key of an access-key/secret-key pair (the JWT's issuer)
	 * @param secretKey secret key that signs the JWT (HMAC-SHA256)
	 * @param apiKey single API key, sent as the bearer token as it is
	 */
	record Account(
			@NotNull @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,62}",
					message = "must be 1 to 63 lower-case letters, digits or '-', starting with a letter or digit") String id,
			@Nullable String accessKey, @Nullable String secretKey, @Nullable String apiKey) {

		Account {
			accessKey = strip(accessKey);
			secretKey = strip(secretKey);
			apiKey = strip(apiKey);
		}

		boolean usesApiKey() {
			return this.apiKey != null;
		}

		boolean hasOneCredentialForm() {
			boolean pair = this.accessKey != null && this.secretKey != null;
			boolean partOfPair = this.accessKey != null || this.secretKey != null;
			return usesApiKey() ? !partOfPair : pair;
		}

		/** What identifies the credential to Kling (and to its rate limit): the api key or the access key. */
		String credentialIdentity() {
			return usesApiKey() ? "api-key:" + this.apiKey : "access-key:" + this.accessKey;
		}

		private static @Nullable String strip(@Nullable String key) {
			return (key == null || key.isBlank()) ? null : key.strip();
		}

		@Override
		public String toString() {
			return "Account[id=" + this.id + ", credential=" + (usesApiKey() ? "api-key" : "access-key/secret-key")
					+ "]";
		}

	}

}
