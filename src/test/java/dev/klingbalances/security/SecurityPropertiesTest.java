package dev.klingbalances.security;

import java.util.Map;

import dev.klingbalances.KlingBalancesApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/** Binding and validation of {@code balances.security.*}. */
@ExtendWith(OutputCaptureExtension.class)
class SecurityPropertiesTest {

	private static final String HASH_A = "ca5b36d62c4de3811bc89d12d5321603cf8e98adf24423cb911dc98aa61d89eb";

	private static final String HASH_B = "A6E769F253E259164442398ACB99401B024C8E328BBF5C17C4CCDC9BC9ECFFA2";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(PropertiesConfiguration.class);

	@Test
	void defaultsToApiKeyModeWithPrometheusAndInfoByManagementPort() {
		this.runner.run((context) -> {
			SecurityProperties properties = context.getBean(SecurityProperties.class);
			assertThat(properties.mode()).isEqualTo(SecurityProperties.Mode.API_KEY);
			assertThat(properties.apiKeys()).isEmpty();
			assertThat(properties.rateLimitConfig()).isEqualTo("consumer");
			// Unset: a key when the actuator shares the API port, open on a management port of its own.
			assertThat(properties.actuator().prometheus()).isNull();
			assertThat(properties.actuator().prometheus(true)).isEqualTo(SecurityProperties.Access.API_KEY);
			assertThat(properties.actuator().prometheus(false)).isEqualTo(SecurityProperties.Access.OPEN);
			assertThat(properties.actuator().info(true)).isEqualTo(SecurityProperties.Access.API_KEY);
			assertThat(properties.actuator().info(false)).isEqualTo(SecurityProperties.Access.OPEN);
			assertThat(properties.actuator().other()).isEqualTo(SecurityProperties.Access.API_KEY);
			assertThat(properties.limits().maxPathLength()).isEqualTo(1024);
			assertThat(properties.limits().maxQueryLength()).isEqualTo(1024);
		});
	}

	@Test
	void bindsKeysModeAndAccessInKebabCase() {
		this.runner
			.withPropertyValues("balances.security.mode=none", "balances.security.api-keys[0].name=reporting",
					"balances.security.api-keys[0].sha256=" + HASH_A, "balances.security.api-keys[1].name=ops.team_2",
					"balances.security.api-keys[1].sha256=" + HASH_B, "balances.security.actuator.prometheus=api-key",
					"balances.security.actuator.info=closed")
			.run((context) -> {
				SecurityProperties properties = context.getBean(SecurityProperties.class);
				assertThat(properties.mode()).isEqualTo(SecurityProperties.Mode.NONE);
				assertThat(properties.apiKeys()).extracting(SecurityProperties.ApiKey::name)
					.containsExactly("reporting", "ops.team_2");
				assertThat(properties.actuator().prometheus()).isEqualTo(SecurityProperties.Access.API_KEY);
				assertThat(properties.actuator().info()).isEqualTo(SecurityProperties.Access.CLOSED);
				assertThat(properties.actuator().prometheus(false)).as("configured: whatever the port")
					.isEqualTo(SecurityProperties.Access.API_KEY);
				assertThat(properties.actuator().info(true)).isEqualTo(SecurityProperties.Access.CLOSED);
			});
	}

	@Test
	void refusesAKeyInPlaceOfItsHashWithoutEchoingIt() {
		String pastedKey = "kb-this-is-a-raw-key-not-a-hash-0123456789";
		this.runner
			.withPropertyValues("balances.security.api-keys[0].name=reporting",
					"balances.security.api-keys[0].sha256=" + pastedKey)
			.run((context) -> {
				assertThat(context).hasFailed();
				String messages = messages(context.getStartupFailure());
				assertThat(messages).contains("balances.security.api-keys[0].sha256")
					.contains("64 hexadecimal")
					.doesNotContain(pastedKey);
			});
	}

	@Test
	void bindsKeysFromEnvironmentVariablesAsAHelmSecretProvidesThem() {
		this.runner
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(new SystemEnvironmentPropertySource("test-systemEnvironment",
						Map.of("BALANCES_SECURITY_APIKEYS_0_NAME", "reporting", "BALANCES_SECURITY_APIKEYS_0_SHA256", HASH_A,
								"BALANCES_SECURITY_APIKEYS_1_NAME", "billing", "BALANCES_SECURITY_APIKEYS_1_SHA256", HASH_B,
								"BALANCES_SECURITY_ACTUATOR_PROMETHEUS", "api-key"))))
			.run((context) -> {
				SecurityProperties properties = context.getBean(SecurityProperties.class);
				assertThat(properties.apiKeys()).extracting(SecurityProperties.ApiKey::name)
					.containsExactly("reporting", "billing");
				assertThat(properties.apiKeys().get(1).sha256()).isEqualTo(HASH_B);
				assertThat(properties.actuator().prometheus()).isEqualTo(SecurityProperties.Access.API_KEY);
			});
	}

	@Test
	void failsStartUpOnAPastedKeyWithoutLoggingIt(CapturedOutput output) {
		String pastedKey = "kb-pasted-raw-key-instead-of-its-hash-42";
		SpringApplication application = new SpringApplicationBuilder(KlingBalancesApplication.class)
			.properties("server.port=0", "balances.cache.warm-up=false", "balances.security.api-keys[0].name=reporting",
					"balances.security.api-keys[0].sha256=" + pastedKey)
			.build();

		assertThatException().isThrownBy(application::run);
		assertThat(output.getAll()).contains("balances.security.api-keys[0].sha256 must be the SHA-256")
			.doesNotContain(pastedKey);
	}

	@Test
	void refusesNamesThatCannotBeLogTagsSafely() {
		this.runner
			.withPropertyValues("balances.security.api-keys[0].name=bad name\n", "balances.security.api-keys[0].sha256="
					+ HASH_A)
			.run((context) -> assertThat(messages(context.getStartupFailure()))
				.contains("balances.security.api-keys[0].name must be"));
	}

	@Test
	void refusesDuplicateNames() {
		this.runner
			.withPropertyValues("balances.security.api-keys[0].name=reporting",
					"balances.security.api-keys[0].sha256=" + HASH_A, "balances.security.api-keys[1].name=reporting",
					"balances.security.api-keys[1].sha256=" + HASH_B)
			.run((context) -> assertThat(messages(context.getStartupFailure()))
				.contains("balances.security.api-keys[1].name 'reporting' is used by another key"));
	}

	@Test
	void refusesTheSameHashTwiceWhateverItsCase() {
		this.runner
			.withPropertyValues("balances.security.api-keys[0].name=one", "balances.security.api-keys[0].sha256=" + HASH_A,
					"balances.security.api-keys[1].name=two",
					"balances.security.api-keys[1].sha256=" + HASH_A.toUpperCase(java.util.Locale.ROOT))
			.run((context) -> assertThat(messages(context.getStartupFailure()))
				.contains("balances.security.api-keys[1].sha256 is the same hash as another key's"));
	}

	@Test
	void bindsAccountPatternsEmptyMeaningEveryAccount() {
		this.runner
			.withPropertyValues("balances.security.api-keys[0].name=one", "balances.security.api-keys[0].sha256=" + HASH_A,
					"balances.security.api-keys[1].name=two", "balances.security.api-keys[1].sha256=" + HASH_B,
					"balances.security.api-keys[1].accounts[0]=kling/*",
					"balances.security.api-keys[1].accounts[1]=useapi/render.*@example.org")
			.run((context) -> {
				SecurityProperties properties = context.getBean(SecurityProperties.class);
				assertThat(properties.apiKeys().get(0).accounts()).isEmpty();
				assertThat(properties.apiKeys().get(0).scope().isAll()).isTrue();
				assertThat(properties.apiKeys().get(1).accounts()).containsExactly("kling/*", "useapi/render.*@example.org");
				assertThat(properties.apiKeys().get(1).scope().includes("useapi", "render.a@example.org")).isTrue();
				assertThat(properties.apiKeys().get(1).scope().includes("useapi", "other@example.org")).isFalse();
			});
	}

	@Test
	void refusesAMalformedAccountPatternNamingTheProperty() {
		for (String malformed : new String[] { "kling", "kling/", "/team-a", "kling/team/a", "kling/team a" }) {
			this.runner
				.withPropertyValues("balances.security.api-keys[0].name=one",
						"balances.security.api-keys[0].sha256=" + HASH_A, "balances.security.api-keys[0].accounts[0]=kling/*",
						"balances.security.api-keys[0].accounts[1]=" + malformed)
				.run((context) -> assertThat(messages(context.getStartupFailure())).as(malformed)
					.contains("balances.security.api-keys[0].accounts[1] must be 'provider/account'"));
		}
	}

	@Test
	void neverPrintsHashesInToString() {
		SecurityProperties.ApiKey key = new SecurityProperties.ApiKey("reporting", HASH_A, java.util.List.of());

		assertThat(key.toString()).contains("reporting").doesNotContain(HASH_A);
	}

	private static String messages(Throwable failure) {
		StringBuilder messages = new StringBuilder();
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			messages.append(cause.getMessage()).append('\n');
		}
		return messages.toString();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(SecurityProperties.class)
	static class PropertiesConfiguration {

	}

}
