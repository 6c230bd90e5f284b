package dev.klingbalances.security;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.klingbalances.balance.BalanceService;
import dev.klingbalances.balance.FakeProvider;
import dev.klingbalances.balance.TestSettings;
import dev.klingbalances.forecast.HistoryStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;

/** A consumer's pattern that matches no account is a warning naming the key, not a failure. */
@ExtendWith(OutputCaptureExtension.class)
class AccountScopeCheckTest {

	private static final String HASH = "ca5b36d62c4de3811bc89d12d5321603cf8e98adf24423cb911dc98aa61d89eb";

	@Test
	void warnsOncePerPatternThatMatchesNoAccount() {
		List<SecurityProperties.ApiKey> keys = List.of(new SecurityProperties.ApiKey("everything", HASH, List.of()),
				new SecurityProperties.ApiKey("render", HASH, List.of("useapi/render.*@example.org", "kling/studio-*",
						"klingg/*")));
		Map<String, List<String>> lists = Map.of("kling", List.of("studio-main", "studio-backup"), "useapi",
				List.of("creator@example.com"));

		assertThat(AccountScopeCheck.unmatched(keys, lists)).containsExactly(
				"balances.security.api-keys[1].accounts[0] of consumer 'render' ('useapi/render.*@example.org') matches none of "
						+ "the 3 accounts of " + lists.keySet() + "; that consumer sees no account through it",
				"balances.security.api-keys[1].accounts[2] of consumer 'render' ('klingg/*') matches none of "
						+ "the 3 accounts of " + lists.keySet() + "; that consumer sees no account through it");
	}

	@Test
	void warnsOnceTheAccountListsAreKnown(CapturedOutput output) {
		BalanceService service = new BalanceService(
				List.of(new FakeProvider("kling", "units", Duration.ofMinutes(15), "studio-main")),
				TestSettings.balances("balances.cache.warm-up=false"), Clock.systemUTC(), new SimpleMeterRegistry(),
				TestSettings.jsonMapper(), org.mockito.Mockito.mock(HistoryStore.class), null);
		SecurityProperties properties = new SecurityProperties(SecurityProperties.Mode.API_KEY,
				List.of(new SecurityProperties.ApiKey("render", HASH, List.of("kling/studio-*", "kling/render-*"))),
				"consumer", new SecurityProperties.Actuator(SecurityProperties.Access.OPEN, SecurityProperties.Access.OPEN,
						SecurityProperties.Access.API_KEY),
				new SecurityProperties.Limits(1024, 1024));
		ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
		scheduler.initialize();
		try {
			new AccountScopeCheck()
				.accountScopePatternCheck(properties, service, scheduler, TestSettings.balances("balances.cache.sweep-interval=50ms"))
				.onApplicationEvent(null);
			assertThat(service.accountLists()).as("nothing read yet").isNull();

			service.balances(Set.of(), false);

			Awaitility.await()
				.atMost(Duration.ofSeconds(10))
				.until(() -> output.getAll().contains("balances.security.api-keys[0].accounts[1] of consumer 'render'"));
			assertThat(output.getAll()).contains("WARN").doesNotContain("accounts[0] of consumer");
		}
		finally {
			scheduler.shutdown();
		}
	}

}
