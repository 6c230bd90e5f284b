package dev.klingbalances.notify;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

@ExtendWith(OutputCaptureExtension.class)
class NotifyPropertiesTest {

	private static final String SECRET = "TOPSECRET-webhook-secret-0123456789abcdef";

	/** A Slack-like URL: its path is the credential. */
	private static final String URL = "https://hooks.example.com/services/T0SECRETPATH/B0SECRETPATH";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(PropertiesConfiguration.class);

	@Test
	void defaultsWhenNothingIsConfigured() {
		this.runner.run((context) -> {
			NotifyProperties properties = context.getBean(NotifyProperties.class);
			assertThat(properties.webhooks()).isEmpty();
			assertThat(properties.hysteresis()).isEqualTo(0.05);
			assertThat(properties.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
			assertThat(properties.timeout()).isEqualTo(Duration.ofSeconds(5));
			assertThat(properties.queueCapacity()).isEqualTo(1000);
		});
	}

	@Test
	void bindsWebhooksWithFormatTypesAndAStrippedSecret() {
		this.runner
			.withPropertyValues("balances.notify.hysteresis=0.1", "balances.notify.webhooks[0].name=team-slack",
					"balances.notify.webhooks[0].url=" + URL, "balances.notify.webhooks[0].format=slack",
					"balances.notify.webhooks[0].types=low-balance,runs-out", "balances.notify.webhooks[1].name=pager",
					"balances.notify.webhooks[1].url=http://127.0.0.1:9/hook",
					"balances.notify.webhooks[1].secret= " + SECRET + "\n")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				NotifyProperties properties = context.getBean(NotifyProperties.class);
				assertThat(properties.hysteresis()).isEqualTo(0.1);
				NotifyProperties.Webhook slack = properties.webhooks().get(0);
				assertThat(slack.format()).isEqualTo(NotifyProperties.Format.SLACK);
				assertThat(slack.types()).isEqualTo(Set.of(EventType.LOW_BALANCE, EventType.RUNS_OUT));
				assertThat(slack.accepts(EventType.LOW_BALANCE)).isTrue();
				assertThat(slack.accepts(EventType.STALE_DATA)).isFalse();
				assertThat(slack.host()).isEqualTo("hooks.example.com");
				NotifyProperties.Webhook pager = properties.webhooks().get(1);
				assertThat(pager.format()).as("the default").isEqualTo(NotifyProperties.Format.JSON);
				assertThat(pager.secret()).isEqualTo(SECRET);
				assertThat(pager.accepts(EventType.STALE_DATA)).as("no types: all").isTrue();
				assertThat(properties.toString()).contains("team-slack", "hooks.example.com")
					.doesNotContain(SECRET, "SECRETPATH");
			});
	}

	@Test
	void aJsonWebhookNeedsASecret() {
		assertFailure(List.of("balances.notify.webhooks[0].name=pager", "balances.notify.webhooks[0].url=" + URL),
				"balances.notify.webhooks[0] (name 'pager').secret is required with format json");
	}

	@Test
	void aSecretMustBeLongEnoughAndIsNeverShown() {
		assertFailure(List.of("balances.notify.webhooks[0].name=pager", "balances.notify.webhooks[0].url=" + URL,
				"balances.notify.webhooks[0].secret=TOPSECRET-short"),
				"balances.notify.webhooks[0] (name 'pager').secret must be at least 32 characters");
	}

	@Test
	void rejectsAUrlThatIsNotHttpWithoutShowingIt() {
		for (String url : List.of("ftp://hooks.example.com/T0SECRETPATH", "hooks.example.com/T0SECRETPATH",
				"https://user:T0SECRETPATH@hooks.example.com/x", "http://exa mple.com/T0SECRETPATH", "https:///T0SECRETPATH")) {
			assertFailure(List.of("balances.notify.webhooks[0].name=ops", "balances.notify.webhooks[0].url=" + url,
					"balances.notify.webhooks[0].format=slack"),
					"balances.notify.webhooks[0] (name 'ops').url must be an absolute http:// or https:// URL");
		}
	}

	@Test
	void aWebhookNeedsAUrl() {
		assertFailure(List.of("balances.notify.webhooks[0].name=ops", "balances.notify.webhooks[0].format=slack"),
				"balances.notify.webhooks[0] (name 'ops').url must be an absolute http:// or https:// URL");
	}

	@Test
	void rejectsDuplicateNames() {
		assertFailure(List.of("balances.notify.webhooks[0].name=ops", "balances.notify.webhooks[0].url=" + URL,
				"balances.notify.webhooks[0].format=slack", "balances.notify.webhooks[1].name=ops",
				"balances.notify.webhooks[1].url=" + URL, "balances.notify.webhooks[1].format=slack"),
				"balances.notify.webhooks[1] (name 'ops'): the name is already used by balances.notify.webhooks[0]");
	}

	@Test
	void rejectsANameThatIsNotASlugOrMissing() {
		assertFailure(List.of("balances.notify.webhooks[0].name=Ops Hook", "balances.notify.webhooks[0].url=" + URL,
				"balances.notify.webhooks[0].format=slack"), "webhooks[0].name");
		assertFailure(List.of("balances.notify.webhooks[0].url=" + URL, "balances.notify.webhooks[0].format=slack"),
				"webhooks[0].name");
	}

	@Test
	void rejectsAHysteresisOutOfRange() {
		assertFailure(List.of("balances.notify.hysteresis=-0.1"), "hysteresis");
		assertFailure(List.of("balances.notify.hysteresis=1.5"), "hysteresis");
	}

	/** Boot's failure analyzers print rejected values: start a real application with bad webhooks and read it. */
	@Test
	void startupFailureReportNamesTheWebhookButNeitherItsUrlNorItsSecret(CapturedOutput output) {
		String[] args = { "--balances.notify.webhooks[0].name=pager", "--balances.notify.webhooks[0].url=ftp://x/T0SECRETPATH",
				"--balances.notify.webhooks[0].secret=" + SECRET.substring(0, 20), "--balances.notify.webhooks[1].name=Bad Name",
				"--balances.notify.webhooks[1].url=" + URL, "--balances.notify.webhooks[1].secret=" + SECRET };
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(PropertiesConfiguration.class)
			.web(WebApplicationType.NONE)
			.run(args)
			.close());
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("balances.notify.webhooks[0] (name 'pager').url must be an absolute http:// or https:// URL")
			.contains("balances.notify.webhooks[0] (name 'pager').secret must be at least 32 characters")
			.contains("webhooks[1].name")
			.doesNotContain(SECRET.substring(0, 20))
			.doesNotContain("SECRETPATH");
	}

	private void assertFailure(List<String> properties, String expectedMessage) {
		this.runner.withPropertyValues(properties.toArray(String[]::new)).run((context) -> {
			assertThat(context).hasFailed();
			StringBuilder messages = new StringBuilder();
			for (Throwable cause = context.getStartupFailure(); cause != null; cause = cause.getCause()) {
				messages.append(cause).append('\n');
			}
			assertThat(messages.toString()).contains(expectedMessage).doesNotContain(SECRET, "SECRETPATH", "TOPSECRET");
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(NotifyProperties.class)
	static class PropertiesConfiguration {

	}

}
