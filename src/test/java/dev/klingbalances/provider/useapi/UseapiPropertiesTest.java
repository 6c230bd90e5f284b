package dev.klingbalances.provider.useapi;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

@ExtendWith(OutputCaptureExtension.class)
class UseapiPropertiesTest {

	private static final String TOKEN = "uapi-props-token-5e1d0b";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(PropertiesConfiguration.class);

	@Test
	void bindsDocumentedDefaults() {
		this.runner.run((context) -> {
			UseapiProperties properties = context.getBean(UseapiProperties.class);
			assertThat(properties.baseUrl()).isEqualTo("https://api.useapi.net");
			assertThat(properties.token()).isNull();
			assertThat(properties.hasToken()).isFalse();
			assertThat(properties.emails()).isEmpty();
			assertThat(properties.cacheTtl()).isEqualTo(Duration.ofMinutes(2));
			assertThat(properties.requestsPerSecond()).isEqualTo(2);
			assertThat(properties.pacingMargin()).isEqualTo(Duration.ofMillis(100));
			assertThat(properties.minInterval()).isEqualTo(Duration.ofMillis(600));
			assertThat(properties.maxRetryAfter()).isEqualTo(Duration.ofMinutes(10));
			assertThat(properties.http()).isNotNull();
			assertThat(properties.http().responseTimeout()).isEqualTo(Duration.ofSeconds(5));
		});
	}

	@Test
	void bindsEveryPropertyByItsDocumentedName() {
		this.runner
			.withPropertyValues("balances.useapi.base-url=http://127.0.0.1:8089", "balances.useapi.token=" + TOKEN,
					"balances.useapi.emails=b@example.com,a+kling@example.com,b@example.com",
					"balances.useapi.cache-ttl=45s", "balances.useapi.requests-per-second=0.5",
					"balances.useapi.pacing-margin=250ms", "balances.useapi.max-retry-after=90s",
					"balances.useapi.http.response-timeout=3s", "balances.useapi.http.max-response-size=256KB")
			.run((context) -> {
				UseapiProperties properties = context.getBean(UseapiProperties.class);
				assertThat(properties.baseUrl()).isEqualTo("http://127.0.0.1:8089");
				assertThat(properties.token()).isEqualTo(TOKEN);
				assertThat(properties.emails()).containsExactly("b@example.com", "a+kling@example.com");
				assertThat(properties.cacheTtl()).isEqualTo(Duration.ofSeconds(45));
				assertThat(properties.minInterval()).isEqualTo(Duration.ofMillis(2250));
				assertThat(properties.maxRetryAfter()).isEqualTo(Duration.ofSeconds(90));
				assertThat(properties.http().responseTimeout()).isEqualTo(Duration.ofSeconds(3));
				assertThat(properties.http().maxResponseSize()).isEqualTo(DataSize.ofKilobytes(256));
			});
	}

	@Test
	void treatsBlankTokenAsNotConfiguredAndStripsAMountedFileNewline() {
		assertThat(properties("   ").hasToken()).isFalse();
		assertThat(properties("").token()).isNull();
		assertThat(properties(" " + TOKEN + "\n").token()).isEqualTo(TOKEN);
	}

	@Test
	void neverPrintsTheTokenInToString() {
		assertThat(properties(TOKEN).toString()).doesNotContain(TOKEN).contains("token=(set)");
		assertThat(properties(null).toString()).contains("token=(not set)");
	}

	@ParameterizedTest
	@ValueSource(strings = { "a+b@example.com", "100%@example.com", "a/b@example.com", "jörg@exämple.de",
			"o'brien@example.co.uk", "user@localhost" })
	void acceptsUnusualButValidEmailAddresses(String email) {
		assertThat(UseapiProperties.looksLikeEmail(email)).isTrue();
		this.runner.withPropertyValues("balances.useapi.emails[0]=" + email)
			.run((context) -> assertThat(context.getBean(UseapiProperties.class).emails()).containsExactly(email));
	}

	@ParameterizedTest
	@ValueSource(strings = { "no-at-sign", "@example.com", "jane@", "a@b@example.com", "with space@example.com",
			"tab\t@example.com", "line\nbreak@example.com", "bell\u0007@example.com", "rtl\u202E@example.com",
			"nbsp\u00A0@example.com" })
	void rejectsEntriesThatDoNotLookLikeEmailsNamingTheProperty(String email) {
		assertThat(UseapiProperties.looksLikeEmail(email)).isFalse();
		this.runner.withPropertyValues("balances.useapi.token=" + TOKEN, "balances.useapi.emails[0]=" + email)
			.run((context) -> assertThat(failureText(context.getStartupFailure()))
				.contains("balances.useapi.emails entries must look like e-mail addresses")
				.doesNotContain(TOKEN));
	}

	@Test
	void rejectsEmailsLongerThan254Characters() {
		String email = "a".repeat(243) + "@example.com";
		assertThat(email).hasSize(255);
		assertThat(UseapiProperties.looksLikeEmail(email)).isFalse();
		assertThat(UseapiProperties.looksLikeEmail(email.substring(1))).isTrue();

		this.runner.withPropertyValues("balances.useapi.emails[0]=" + email)
			.run((context) -> assertThat(failureText(context.getStartupFailure()))
				.contains("balances.useapi.emails entries must be at most 254 characters"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "0", "-1", "NaN" })
	void rejectsRequestsPerSecondThatIsNotPositive(String value) {
		this.runner
			.withPropertyValues("balances.useapi.token=" + TOKEN, "balances.useapi.requests-per-second=" + value)
			.run((context) -> assertThat(failureText(context.getStartupFailure()))
				.contains("balances.useapi.requests-per-second must be greater than 0")
				.doesNotContain(TOKEN));
	}

	@ParameterizedTest
	@ValueSource(strings = { "0s", "500ms", "-1s" })
	void rejectsMaxRetryAfterShorterThanASecond(String value) {
		this.runner.withPropertyValues("balances.useapi.token=" + TOKEN, "balances.useapi.max-retry-after=" + value)
			.run((context) -> assertThat(failureText(context.getStartupFailure()))
				.contains("balances.useapi.max-retry-after")
				.doesNotContain(TOKEN));
	}

	@Test
	void startupFailureReportNeverShowsTheToken(CapturedOutput output) {
		// Given a token and several invalid settings next to it
		SpringApplicationBuilder application = new SpringApplicationBuilder(PropertiesConfiguration.class)
			.web(WebApplicationType.NONE);
		String[] arguments = { "--balances.useapi.token=" + TOKEN, "--balances.useapi.emails[0]=not an email",
				"--balances.useapi.emails[1]=ok@example.com", "--balances.useapi.requests-per-second=0",
				"--balances.useapi.base-url=ftp://example.com" };

		// When the application starts, Then it fails, naming the properties but never the token
		assertThatException().isThrownBy(() -> application.run(arguments))
			.satisfies((failure) -> assertThat(failureText(failure)).doesNotContain(TOKEN));
		assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
			.contains("balances.useapi.emails")
			.contains("balances.useapi.requests-per-second")
			.contains("balances.useapi.base-url")
			.doesNotContain(TOKEN);
	}

	/** Every message and stack frame of the failure, as a log would show it. */
	private static String failureText(Throwable failure) {
		assertThat(failure).isNotNull();
		StringWriter text = new StringWriter();
		failure.printStackTrace(new PrintWriter(text));
		return text.toString();
	}

	private static UseapiProperties properties(String token) {
		return new UseapiProperties("http://127.0.0.1:9", token, List.of(), Duration.ofMinutes(2), 2, Duration.ofMillis(100),
				Duration.ofMinutes(10), UseapiTestSupport.http(Duration.ofSeconds(5), DataSize.ofMegabytes(1)));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(UseapiProperties.class)
	static class PropertiesConfiguration {

	}

}
