package dev.klingbalances.security;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import dev.klingbalances.balance.AccountScope;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may call the API and how much. The configuration holds SHA-256 hashes of the consumers'
 * keys, never a usable key. Validation messages name the property but never echo a hash value,
 * since a key pasted into {@code sha256} by mistake would otherwise land in the start-up log.
 *
 * @param mode {@code api-key} (default): {@code /balances} needs a configured key;
 * {@code none}: open to anyone who can reach the service (demo only; logged as a warning)
 * @param apiKeys the consumers: a name (shown in logs and metrics) and the SHA-256 of their key
 * @param rateLimitConfig the {@code resilience4j.ratelimiter.configs} entry every consumer's
 * limiter is created from; a consumer gets its own policy through an instance named
 * {@code consumer-<name>}
 * @param actuator who may read the configurable actuator endpoints (health probes are always open)
 * @param limits sizes beyond which a request is refused with 400 before anything else sees it
 */
@ConfigurationProperties("balances.security")
record SecurityProperties(@DefaultValue("api-key") Mode mode, @DefaultValue List<ApiKey> apiKeys,
		@DefaultValue("consumer") String rateLimitConfig, @DefaultValue Actuator actuator,
		@DefaultValue Limits limits) {

	static final String PREFIX = "balances.security";

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

	private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

	SecurityProperties {
		Set<String> names = new HashSet<>();
		Set<String> hashes = new HashSet<>();
		for (int i = 0; i < apiKeys.size(); i++) {
			ApiKey key = apiKeys.get(i);
			String property = PREFIX + ".api-keys[" + i + "]";
			if (key.name() == null || !NAME.matcher(key.name()).matches()) {
				throw new IllegalArgumentException(property + ".name must be 1 to 63 letters, digits, '.', '_' or '-', "
						+ "starting with a letter or digit (it appears in logs and metrics)");
			}
			if (key.sha256() == null || !SHA256.matcher(key.sha256()).matches()) {
				throw new IllegalArgumentException(property + ".sha256 must be the SHA-256 of the key as 64 hexadecimal "
						+ "characters (e.g. printf %s \"$KEY\" | sha256sum); the configuration holds hashes, never keys");
			}
			if (!names.add(key.name())) {
				throw new IllegalArgumentException(property + ".name '" + key.name() + "' is used by another key");
			}
			if (!hashes.add(key.sha256().toLowerCase(Locale.ROOT))) {
				throw new IllegalArgumentException(property + ".sha256 is the same hash as another key's");
			}
			for (int j = 0; j < key.accounts().size(); j++) {
				String malformed = AccountScope.malformed(key.accounts().get(j));
				if (malformed != null) {
					throw new IllegalArgumentException(property + ".accounts[" + j + "] " + malformed);
				}
			}
		}
		apiKeys = List.copyOf(apiKeys);
		if (rateLimitConfig.isBlank()) {
			throw new IllegalArgumentException(PREFIX + ".rate-limit-config must name a resilience4j.ratelimiter config");
		}
	}

	enum Mode {

		/** {@code /balances} needs a configured API key. */
		API_KEY,
		/** {@code /balances} is open to anyone (demo profile only). */
		NONE

	}

	/** Who may read an actuator endpoint. */
	enum Access {

		/** Anyone who can reach the service (e.g. a Prometheus scraper inside the cluster). */
		OPEN,
		/** Consumers with an API key. */
		API_KEY,
		/** Nobody. */
		CLOSED

	}

	/**
	 * @param name the consumer's name, shown in the access log and metrics (never the key)
	 * @param sha256 hex SHA-256 of the key's UTF-8 bytes
	 * @param accounts the accounts this consumer may see, as {@code provider/account} patterns
	 * where {@code *} matches any run of characters (e.g. {@code kling/*},
	 * {@code useapi/render.*@example.org}); empty: every account
	 */
	record ApiKey(@Nullable String name, @Nullable String sha256, @DefaultValue List<String> accounts) {

		ApiKey {
			accounts = (accounts != null) ? List.copyOf(accounts) : List.of();
		}

		/** The consumer's scope (the patterns are validated with the properties). */
		AccountScope scope() {
			return AccountScope.of(this.accounts);
		}

		@Override
		public String toString() {
			return "ApiKey[name=" + this.name + "]";
		}

	}

	/**
	 * @param maxPathLength longest accepted request path, as sent (percent-encoded)
	 * @param maxQueryLength longest accepted query string, as sent
	 */
	record Limits(@DefaultValue("1024") int maxPathLength, @DefaultValue("1024") int maxQueryLength) {

		Limits {
			if (maxPathLength < 64 || maxQueryLength < 64) {
				throw new IllegalArgumentException(PREFIX + ".limits.max-path-length and max-query-length must be at least 64");
			}
		}

	}

	/**
	 * Who may read which actuator endpoint. Only endpoints listed in
	 * {@code management.endpoints.web.exposure.include} exist at all; these settings add who may
	 * read them. Writes (POST, DELETE) to actuator endpoints are always refused.
	 *
	 * @param prometheus access to {@code /actuator/prometheus}; unset: {@code api-key} when the
	 * actuator shares the API port (the plain {@code java -jar} default: whoever reaches the API
	 * would otherwise read every account's figures), {@code open} on a separate
	 * {@code management.server.port} (the scraper's port, as in the Helm chart)
	 * @param info access to {@code /actuator/info}; unset: as for {@code prometheus}
	 * @param other access to any other exposed endpoint (none by default); the index page
	 * {@code /actuator} is always closed
	 */
	record Actuator(@Nullable Access prometheus, @Nullable Access info, @DefaultValue("api-key") Access other) {

		/** The access to Prometheus: as configured, or by where the actuator listens. */
		Access prometheus(boolean sharesApiPort) {
			return byPort(this.prometheus, sharesApiPort);
		}

		/** The access to info: as configured, or by where the actuator listens. */
		Access info(boolean sharesApiPort) {
			return byPort(this.info, sharesApiPort);
		}

		private static Access byPort(@Nullable Access configured, boolean sharesApiPort) {
			if (configured != null) {
				return configured;
			}
			return sharesApiPort ? Access.API_KEY : Access.OPEN;
		}

	}

}
