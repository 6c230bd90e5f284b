package dev.klingbalances.faults;

import java.time.Duration;
import java.time.Instant;

import dev.klingbalances.cache.RefreshingCache;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stale-if-error over time: the last good snapshot stays servable for {@code max-stale} (24 h by
 * default) with {@code stale: true}, its original {@code fetchedAt} and the current error; after
 * that only the error remains. The clock jumps instead of waiting a day.
 */
class StaleIfErrorTest extends FaultTestSupport {

	private static final Duration MAX_STALE = Duration.ofHours(24);

	@Test
	void lastGoodSnapshotIsServedStaleUntilMaxStaleThenOnlyTheErrorRemains() throws Exception {
		String account = FaultStubs.EMAIL_PRIMED;
		// Given a good snapshot, then an outage
		JsonNode good = prime("useapi", account);
		stubs.fault("useapi", account, aResponse().withStatus(503).withBody("Service Unavailable"));

		// When a caller asks an hour before max-stale runs out
		this.clock.advance(MAX_STALE.minusHours(1));
		JsonNode stale = settledAccount("useapi", account);

		// Then it sees the last good figures, marked stale, with their fetchedAt and the error
		assertThat(stale.get("remaining")).isEqualTo(good.get("remaining"));
		assertThat(stale.get("total")).isEqualTo(good.get("total"));
		assertThat(stale.get("stale").asBoolean()).isTrue();
		assertThat(stale.get("fetchedAt")).isEqualTo(good.get("fetchedAt"));
		assertThat(stale.get("error").get("code").asString()).isEqualTo("UPSTREAM_UNAVAILABLE");
		assertThat(stale.get("error").get("upstreamStatus").asInt()).isEqualTo(503);

		// When max-stale has passed since the good fetch
		this.clock.advance(Duration.ofHours(1).plusMinutes(1));
		JsonNode expired = settledAccount("useapi", account);

		// Then the figures are gone and only the error remains (never a zero)
		assertThat(expired.get("remaining").isNull()).isTrue();
		assertThat(expired.get("total").isNull()).isTrue();
		assertThat(expired.get("fetchedAt").isNull()).isTrue();
		assertThat(expired.get("grants")).isEmpty();
		assertThat(expired.get("error").get("code").asString()).isEqualTo("UPSTREAM_UNAVAILABLE");
		assertThat(expired.get("error").get("upstreamStatus").asInt()).isEqualTo(503);
		// one good fetch, then one fully retried fetch per error-ttl expiry (two of them)
		assertThat(stubs.requests("useapi", account)).hasSize(1 + 2 * MAX_ATTEMPTS);
	}

	@Test
	void accountListOutageKeepsListingTheLastKnownAccounts() throws Exception {
		// Given the useapi.net account list was read once
		balances("?provider=useapi");
		// and the list endpoint now fails, after its TTL (2 min)
		stubs.server()
			.stubFor(get(urlPathEqualTo(FaultStubs.USEAPI_ACCOUNTS)).atPriority(1)
				.willReturn(aResponse().withStatus(502).withBody("<html>Bad Gateway</html>")));
		this.clock.advance(Duration.ofMinutes(3));

		// When a caller asks
		Answer answer = balances("?provider=useapi&refresh=true");

		// Then every account is still listed and read; the provider error says the list is stale
		for (String email : new String[] { FaultStubs.EMAIL_STEADY, FaultStubs.EMAIL_COLD, FaultStubs.EMAIL_PRIMED }) {
			assertIntact(answer, "useapi", email);
		}
		if (answer.body().get("providerErrors").isEmpty()) {
			// the list fetch outlasted the deadline; read its outcome once it has ended
			awaitAccountList();
			answer = balances("?provider=useapi");
		}
		assertThat(answer.body().get("providerErrors")).hasSize(1);
		assertThat(answer.body().get("providerErrors").get(0).toString()).contains("UPSTREAM_UNAVAILABLE");
		assertThat(answer.body().get("complete").asBoolean()).isFalse();
		assertThat(stubs.server().findAll(getRequestedFor(urlPathEqualTo(FaultStubs.USEAPI_ACCOUNTS))))
			.hasSize(1 + MAX_ATTEMPTS);
	}

	@Test
	void accountListNeverReadIsAProviderErrorAndA503ForOneAccount() throws Exception {
		// Given the useapi.net account list fails from the start
		stubs.server()
			.stubFor(get(urlPathEqualTo(FaultStubs.USEAPI_ACCOUNTS)).atPriority(1)
				.willReturn(aResponse().withStatus(401).withBody("{\"error\":\"Unauthorized\",\"code\":401}")));

		// When a caller asks for everything
		Answer all = balances("");

		// Then Kling is intact and useapi.net is a provider error, not a list of zeros
		for (String account : new String[] { FaultStubs.STEADY_A, FaultStubs.STEADY_B, FaultStubs.COLD,
				FaultStubs.PRIMED }) {
			assertIntact(all, "kling", account);
		}
		assertThat(all.body().get("accounts").valueStream()
			.filter((account) -> account.get("provider").asString().equals("useapi"))
			.toList()).isEmpty();
		JsonNode providerError = all.body().get("providerErrors").get(0);
		assertThat(providerError.toString()).contains("useapi", "AUTHENTICATION_FAILED");
		JsonNode useapiTotal = all.body().get("totals").valueStream()
			.filter((total) -> total.get("provider").asString().equals("useapi"))
			.findFirst()
			.orElseThrow();
		// the sum over no known account must not pass for a complete one
		assertThat(useapiTotal.get("accounts").asInt()).isZero();
		assertThat(useapiTotal.get("remaining").isNull()).as("useapi total: %s", useapiTotal).isTrue();
		assertThat(useapiTotal.get("complete").asBoolean()).as("useapi total: %s", useapiTotal).isFalse();
		assertThat(all.body().get("complete").asBoolean()).isFalse();

		// When a caller asks for one of its accounts
		Answer one = call("/balances/useapi/" + FaultStubs.EMAIL_STEADY);

		// Then that is a 503 problem that says so, with Retry-After
		assertThat(one.status()).isEqualTo(503);
		assertThat(one.body().get("code").asString()).isEqualTo("ACCOUNT_LIST_UNAVAILABLE");
		assertThat(one.headers().firstValue("Retry-After")).isPresent();
	}

	/** The answer after the account's fetch (started by this call, if needed) has ended. */
	private JsonNode settledAccount(String provider, String account) throws Exception {
		Instant since = this.clock.instant();
		JsonNode answer = call("/balances/" + provider + "/" + account).body();
		if (answer.get("error").isNull() || answer.get("error").get("code").asString().equals("PENDING")) {
			awaitFetchEnded(provider, account, since, Duration.ofSeconds(30));
			answer = call("/balances/" + provider + "/" + account).body();
		}
		return answer;
	}

	private void awaitAccountList() {
		RefreshingCache<?> lists = this.balanceService.caches()
			.stream()
			.filter((cache) -> cache.name().equals("accounts.useapi"))
			.findFirst()
			.orElseThrow();
		org.awaitility.Awaitility.await()
			.alias("the account list fetch ended with its error")
			.atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> lists.peek("*"), (entry) -> entry != null && entry.error() != null);
	}

}
