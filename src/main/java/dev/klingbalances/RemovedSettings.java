package dev.klingbalances;

import java.util.List;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Names at start-up every removed setting that a deployment still sets: one WARN each, with what
 * took its place. Spring Boot ignores a property that nothing binds, so without it such a value
 * would go unused without a word. A setting counts under any name Spring Boot would have bound
 * ({@code BALANCES_STORE_ENTRYTTL} as well as {@code balances.store.entry-ttl}); its value is
 * never logged. The same settings are in {@code additional-spring-configuration-metadata.json},
 * deprecated with level {@code error}, so an IDE flags them too.
 */
@Component
class RemovedSettings implements InitializingBean {

	private static final Logger logger = LoggerFactory.getLogger(RemovedSettings.class);

	/** Every removed setting and what replaced it, in the order they went. */
	static final List<Removed> REMOVED = List.of(
			new Removed("balances.store.lane-lock-margin",
					"fixed at 5s (a lane a dead replica held is free after the longest response timeout, "
							+ "the interval and 5s)"),
			new Removed("balances.store.lane-poll-interval", "fixed at 50ms"),
			new Removed("balances.store.entry-ttl",
					"a shared snapshot lives balances.cache.max-stale plus 1h (25h by default)"),
			new Removed("balances.picker.cached-picks", "fixed at 64 answers of /balances/next per cached answer"),
			new Removed("balances.kling.token-renew-before",
					"a JWT is re-signed when a sixth of balances.kling.token-ttl is left (5m of the default 30m)"),
			new Removed("balances.cache.refresh-jitter",
					"each account's refresh point lies in the last quarter of balances.cache.refresh-ahead "
							+ "(0.6 to 0.8 of the TTL by default)"));

	private final Environment environment;

	RemovedSettings(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void afterPropertiesSet() {
		for (Removed removed : REMOVED) {
			if (isSet(removed.name())) {
				logger.warn("{} (env {}) is set, but the setting was removed and its value is ignored: {}. "
						+ "Remove it from the configuration.", removed.name(), removed.environmentVariable(),
						removed.replacedBy());
			}
		}
	}

	/** Set in any property source, under any name that binds to it (relaxed binding). */
	private boolean isSet(String name) {
		ConfigurationPropertyName property = ConfigurationPropertyName.of(name);
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
			if (source.getConfigurationProperty(property) != null) {
				return true;
			}
		}
		return false;
	}

	/**
	 * @param name the setting as it was spelled in {@code application.yml}
	 * @param replacedBy what determines its value now
	 */
	record Removed(String name, String replacedBy) {

		/** The name of the environment variable a deployment would have set. */
		String environmentVariable() {
			return this.name.replace("-", "").replace('.', '_').toUpperCase(Locale.ROOT);
		}

	}

}
