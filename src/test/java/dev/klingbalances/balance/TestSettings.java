package dev.klingbalances.balance;

import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Service settings for tests that build the service by hand: the real defaults, changed where a test says. */
public final class TestSettings {

	private TestSettings() {
	}

	/**
	 * {@link BalancesProperties} bound as Spring Boot binds them, from {@code name=value} pairs
	 * (e.g. {@code "balances.deadline=1s"}); every other setting keeps its default.
	 */
	public static BalancesProperties balances(String... properties) {
		Map<String, String> values = new LinkedHashMap<>();
		for (String property : properties) {
			int split = property.indexOf('=');
			values.put(property.substring(0, split), property.substring(split + 1));
		}
		return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("balances",
				BalancesProperties.class);
	}

	public static JsonMapper jsonMapper() {
		return JsonMapper.builder().build();
	}

}
