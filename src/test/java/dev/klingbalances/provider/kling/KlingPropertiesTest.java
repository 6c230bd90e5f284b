package dev.klingbalances.provider.kling;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

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
class KlingPropertiesTest {

	private static final String SECRET = "TOPSECRET-secret-key-0123456789ab";

	private static final String API_KEY = "TOPSECRET-api-key-0123456789abcd";

	private static final String ACCESS_KEY = "TOPSECRET-access-key-0123456789a";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(PropertiesConfiguration.class);

	@Test
	void defaultsWhenNothingIsConfigured() {
		this.runner.run((context) -> {
			KlingProperties properties = context.getBean(KlingProperties.class);
			assertThat(properties.baseUrl()).isEqualTo("https://api-singapore.klingai.com");
			assertThat(properties.lookback()).isEqualTo(Duration.ofDays(400));
			assertThat(properties.cacheTtl()).isEqualTo(Duration.ofMinutes(15));
			assertThat(properties.minRequestInterval()).isEqualTo(Duration.ofMillis(1100));
			assertThat(properties.dataDelay()).isEqualTo(Duration.ofHours(12));
			assertThat(properties.tokenTtl()).isEqualTo(Duration.ofMinutes(30));
			assertThat(properties.maxRetryAfter()).isEqualTo(Duration.ofMinutes(10));
			assertThat(properties.http().responseTimeout()).isEqualTo(Duration.ofSeconds(5));
			assertThat(properties.http().maxResponseSize()).isEqualTo(DataSize.ofMegabytes(1));
			assertThat(properties.accounts()).isEmpty();
		});
	}

	@Test
	void bindsBothCredentialFormsAndStripsWhitespaceAroundKeys() {
		this.runner
			.withPropertyValues("balances.kling.lookback=30d", "balances.kling.http.response-timeout=3s",
					"balances.kling.accounts[0].id=main", "balances.kling.accounts[0].access-key= " + ACCESS_KEY + " ",
					"balances.kling.accounts[0].secret-key=" + SECRET + "\n", "balances.kling.accounts[1].id=new-1",
					"balances.kling.accounts[1].api-key=" + API_KEY)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				KlingProperties properties = context.getBean(KlingProperties.class);
				assertThat(properties.lookback()).isEqualTo(Duration.ofDays(30));
				assertThat(properties.http().responseTimeout()).isEqualTo(Duration.ofSeconds(3));
				assertThat(properties.accounts()).extracting(KlingProperties.Account::id).containsExactly("main", "new-1");
				KlingProperties.Account main = properties.accounts().get(0);
				assertThat(main.accessKey()).isEqualTo(ACCESS_KEY);
				assertThat(main.secretKey()).isEqualTo(SECRET);
				assertThat(main.usesApiKey()).isFalse();
				assertThat(properties.accounts().get(1).apiKey()).isEqualTo(API_KEY);
				assertThat(properties.toString()).doesNotContain(SECRET, API_KEY, ACCESS_KEY).contains("main", "new-1");
			});
	}

	@Test
	void rejectsAnIdThatIsNotAUrlSlug() {
		assertFailure(List.of("balances.kling.accounts[0].id=Main Account",
				"balances.kling.accounts[0].api-key=" + API_KEY), "accounts[0].id");
	}

	@Test
	void rejectsDuplicateIds() {
		assertFailure(List.of("balances.kling.accounts[0].id=main", "balances.kling.accounts[0].api-key=" + API_KEY,
				"balances.kling.accounts[1].id=main", "balances.kling.accounts[1].api-key=other-key"),
				"balances.kling.accounts[1].id 'main' is already used by balances.kling.accounts[0]");
	}

	@Test
	void rejectsBothCredentialFormsOnOneAccountWithoutEchoingThem() {
		assertFailure(List.of("balances.kling.accounts[0].id=main", "balances.kling.accounts[0].access-key=" + ACCESS_KEY,
				"balances.kling.accounts[0].secret-key=" + SECRET, "balances.kling.accounts[0].api-key=" + API_KEY),
				"balances.kling.accounts[0] (id 'main') needs exactly one credential form");
	}

	@Test
	void rejectsAnAccessKeyWithoutItsSecretKey() {
		assertFailure(List.of("balances.kling.accounts[0].id=main", "balances.kling.accounts[0].access-key=" + ACCESS_KEY),
				"balances.kling.accounts[0] (id 'main') needs exactly one credential form");
	}

	@Test
	void rejectsASecretKeyWithoutItsAccessKey() {
		assertFailure(List.of("balances.kling.accounts[0].id=main", "balances.kling.accounts[0].secret-key=" + SECRET),
				"balances.kling.accounts[0] (id 'main') needs exactly one credential form");
	}

	@Test
	void rejectsAnAccountWithoutCredentials() {
		assertFailure(List.of("balances.kling.accounts[0].id=main", "balances.kling.accounts[0].api-key=  "),
				"balances.kling.accounts[0] (id 'main') needs exactly one credential form");
	}

	@Test
	void rejectsOneAccessKeyConfiguredUnderTwoIds() {
		assertFailure(List.of("balances.kling.accounts[0].id=a", "balances.kling.accounts[0].access-key=" + ACCESS_KEY,
				"balances.kling.accounts[0].secret-key=" + SECRET, "balances.kling.accounts[1].id=b",
				"balances.kling.accounts[1].access-key=" + ACCESS_KEY,
				"balances.kling.accounts[1].secret-key=" + SECRET + "-other"),
				"balances.kling.accounts[1] (id 'b') uses the same access-key as balances.kling.accounts[0] (id 'a')");
	}

	@Test
	void rejectsOneApiKeyConfiguredUnderTwoIds() {
		assertFailure(List.of("balances.kling.accounts[0].id=a", "balances.kling.accounts[0].api-key=" + API_KEY,
				"balances.kling.accounts[1].id=b", "balances.kling.accounts[1].api-key=" + API_KEY),
				"balances.kling.accounts[1] (id 'b') uses the same api-key as balances.kling.accounts[0] (id 'a')");
	}

	@Test
	void rejectsARequestIntervalBelowOneSecond() {
		assertFailure(List.of("balances.kling.min-request-interval=900ms"),
				"Kling allows one request per second per account");
	}

	/**
	 * A token is renewed when a sixth of its lifetime is left ({@code KlingCredentialTest}), so no
	 * setting can make every request sign a new one; a lifetime too short to be worth reusing is
	 * refused.
	 */
	@Test
	void rejectsATokenLifetimeBelowTenSeconds() {
		assertFailure(List.of("balances.kling.token-ttl=9s"), "tokenTtl");
		this.runner.withPropertyValues("balances.kling.token-ttl=10s").run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void bindsProductRulesInTheirOrder() {
		this.runner
			.withPropertyValues("balances.kling.products[0].pattern=lip ?sync", "balances.kling.products[0].product=video",
					"balances.kling.products[1].pattern=海报", "balances.kling.products[1].product=IMAGE")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(KlingProperties.class).products()).containsExactly(
						new KlingProperties.ProductRule("lip ?sync", "video"), new KlingProperties.ProductRule("海报", "IMAGE"));
			});
	}

	@Test
	void rejectsAProductRuleWithAnEmptyPattern() {
		assertFailure(List.of("balances.kling.products[0].pattern=", "balances.kling.products[0].product=video"),
				"balances.kling.products[0].pattern must not be empty");
	}

	@Test
	void rejectsAProductRuleWithoutPattern() {
		assertFailure(List.of("balances.kling.products[0].product=video"),
				"balances.kling.products[0].pattern must not be empty");
	}

	@Test
	void rejectsAProductRuleWhosePatternIsNoRegularExpression() {
		assertFailure(List.of("balances.kling.products[0].pattern=video", "balances.kling.products[0].product=video",
				"balances.kling.products[1].pattern=(unclosed", "balances.kling.products[1].product=image"),
				"balances.kling.products[1].pattern is not a valid regular expression");
	}

	@Test
	void rejectsAProductRuleWithAnUnknownProduct() {
		assertFailure(List.of("balances.kling.products[0].pattern=audio", "balances.kling.products[0].product=audio"),
				"balances.kling.products[0].product must be one of [video, image, other], not 'audio'");
	}

	@Test
	void aMalformedProductRuleStopsStartUpWithAReportNotAStackTrace(CapturedOutput output) {
		String[] args = { "--balances.kling.products[0].pattern=(unclosed", "--balances.kling.products[0].product=video" };
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(PropertiesConfiguration.class)
			.web(WebApplicationType.NONE)
			.run(args)
			.close());
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("balances.kling.products[0].pattern is not a valid regular expression")
			.doesNotContain("PatternSyntaxException")
			.doesNotContain("\tat ");
	}

	@Test
	void accountToStringShowsNoKey() {
		KlingProperties.Account pair = new KlingProperties.Account("main", ACCESS_KEY, SECRET, null);
		KlingProperties.Account single = new KlingProperties.Account("new", null, null, API_KEY);
		assertThat(pair).hasToString("Account[id=main, credential=access-key/secret-key]");
		assertThat(single).hasToString("Account[id=new, credential=api-key]");
	}

	/**
	 * Boot's failure analyzers print the rejected value of a field error. Start a real
	 * application with a bad configuration and read what it prints.
	 */
	@Test
	void startupFailureReportNamesThePropertyButNoSecret(CapturedOutput output) {
		String[] args = { "--balances.kling.min-request-interval=500ms", "--balances.kling.accounts[0].id=Bad Id",
				"--balances.kling.accounts[0].access-key=" + ACCESS_KEY,
				"--balances.kling.accounts[0].secret-key=" + SECRET, "--balances.kling.accounts[0].api-key=" + API_KEY,
				"--balances.kling.accounts[1].id=other", "--balances.kling.accounts[1].api-key=" + API_KEY };
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(PropertiesConfiguration.class)
			.web(WebApplicationType.NONE)
			.run(args)
			.close());
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("accounts[0].id")
			.contains("Bad Id")
			.contains("Kling allows one request per second per account")
			.contains("balances.kling.accounts[0] (id 'Bad Id') needs exactly one credential form")
			.doesNotContain(SECRET)
			.doesNotContain(API_KEY)
			.doesNotContain(ACCESS_KEY);
	}

	private void assertFailure(List<String> properties, String expectedMessage) {
		List<String> values = new ArrayList<>(properties);
		this.runner.withPropertyValues(values.toArray(String[]::new)).run((context) -> {
			assertThat(context).hasFailed();
			StringBuilder messages = new StringBuilder();
			for (Throwable cause = context.getStartupFailure(); cause != null; cause = cause.getCause()) {
				messages.append(cause).append('\n');
			}
			assertThat(messages.toString()).contains(expectedMessage).doesNotContain(SECRET, API_KEY, ACCESS_KEY);
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(KlingProperties.class)
	static class PropertiesConfiguration {

	}

}
