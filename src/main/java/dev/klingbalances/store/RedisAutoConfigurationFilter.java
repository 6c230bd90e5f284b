package dev.klingbalances.store;

import org.springframework.boot.autoconfigure.AutoConfigurationImportFilter;
import org.springframework.boot.autoconfigure.AutoConfigurationMetadata;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * Leaves Spring Boot's Redis auto-configuration (connection factory, Lettuce client and its
 * threads, templates, health, observations) out unless {@code balances.store.type=redis}: the
 * memory store, the default, uses none of it, and it cost start-up time, classes and memory
 * (docs/performance.md). Filtered by name, before any of those classes is loaded; registered in
 * {@code META-INF/spring.factories}.
 */
class RedisAutoConfigurationFilter implements AutoConfigurationImportFilter, EnvironmentAware {

	static final String REDIS_AUTO_CONFIGURATION = "org.springframework.boot.data.redis.autoconfigure.";

	private boolean redisStore;

	@Override
	public void setEnvironment(Environment environment) {
		this.redisStore = "redis".equalsIgnoreCase(environment.getProperty("balances.store.type", "memory").trim());
	}

	@Override
	public boolean[] match(String[] autoConfigurationClasses, AutoConfigurationMetadata autoConfigurationMetadata) {
		boolean[] match = new boolean[autoConfigurationClasses.length];
		for (int i = 0; i < match.length; i++) {
			String candidate = autoConfigurationClasses[i];
			match[i] = this.redisStore || candidate == null || !candidate.startsWith(REDIS_AUTO_CONFIGURATION);
		}
		return match;
	}

}
