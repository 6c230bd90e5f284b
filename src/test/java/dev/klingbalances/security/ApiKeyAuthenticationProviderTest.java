package dev.klingbalances.security;

import java.util.HexFormat;
import java.util.List;

import dev.klingbalances.contract.TestKeys;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Matching presented keys to configured hashes, and reading keys from the headers. */
class ApiKeyAuthenticationProviderTest {

	private final ApiKeyAuthenticationProvider provider = new ApiKeyAuthenticationProvider(List.of(
			new SecurityProperties.ApiKey("alice", TestKeys.ALICE_SHA256, java.util.List.of()),
			new SecurityProperties.ApiKey("throttled", TestKeys.THROTTLED_SHA256.toUpperCase(java.util.Locale.ROOT), java.util.List.of()),
			new SecurityProperties.ApiKey("scoped-alpha", TestKeys.SCOPED_ALPHA_SHA256, java.util.List.of("alpha/team-*"))));

	@Test
	void testKeysHashToTheirConfiguredHashes() {
		assertThat(HexFormat.of().formatHex(ApiKeyAuthenticationProvider.sha256(TestKeys.ALICE))).isEqualTo(TestKeys.ALICE_SHA256);
		assertThat(HexFormat.of().formatHex(ApiKeyAuthenticationProvider.sha256(TestKeys.BOB))).isEqualTo(TestKeys.BOB_SHA256);
		assertThat(HexFormat.of().formatHex(ApiKeyAuthenticationProvider.sha256(TestKeys.THROTTLED))).isEqualTo(TestKeys.THROTTLED_SHA256);
		assertThat(HexFormat.of().formatHex(ApiKeyAuthenticationProvider.sha256(TestKeys.FUZZER))).isEqualTo(TestKeys.FUZZER_SHA256);
		assertThat(HexFormat.of().formatHex(ApiKeyAuthenticationProvider.sha256(TestKeys.SCANNER))).isEqualTo(TestKeys.SCANNER_SHA256);
		assertThat(HexFormat.of().formatHex(ApiKeyAuthenticationProvider.sha256(TestKeys.BROWSER))).isEqualTo(TestKeys.BROWSER_SHA256);
		assertThat(HexFormat.of().formatHex(ApiKeyAuthenticationProvider.sha256(TestKeys.SCOPED_ALPHA))).isEqualTo(TestKeys.SCOPED_ALPHA_SHA256);
		assertThat(HexFormat.of().formatHex(ApiKeyAuthenticationProvider.sha256(TestKeys.SCOPED_BETA))).isEqualTo(TestKeys.SCOPED_BETA_SHA256);
	}

	@Test
	void theAuthenticatedConsumerCarriesItsScope() {
		Authentication scoped = this.provider.authenticate(ApiKeyAuthentication.unauthenticated(TestKeys.SCOPED_ALPHA));
		Authentication unscoped = this.provider.authenticate(ApiKeyAuthentication.unauthenticated(TestKeys.ALICE));

		assertThat(((dev.klingbalances.balance.AccountScope.Scoped) scoped).scope().includes("alpha", "team-b")).isTrue();
		assertThat(((dev.klingbalances.balance.AccountScope.Scoped) scoped).scope().includes("beta", "team-b")).isFalse();
		assertThat(((dev.klingbalances.balance.AccountScope.Scoped) unscoped).scope().isAll()).isTrue();
	}

	@Test
	void authenticatesAKnownKeyAsItsConsumerWithoutKeepingTheKey() {
		Authentication result = this.provider.authenticate(ApiKeyAuthentication.unauthenticated(TestKeys.THROTTLED));

		assertThat(result.isAuthenticated()).isTrue();
		assertThat(result.getName()).isEqualTo("throttled");
		assertThat(result.getCredentials()).isNull();
		assertThat(result.toString()).doesNotContain(TestKeys.THROTTLED);
	}

	@Test
	void refusesAnUnknownKey() {
		assertThatExceptionOfType(BadCredentialsException.class)
			.isThrownBy(() -> this.provider.authenticate(ApiKeyAuthentication.unauthenticated(TestKeys.ALICE + "0")))
			.withMessageNotContaining(TestKeys.ALICE);
	}

	@Test
	void neverPrintsAPresentedKey() {
		assertThat(ApiKeyAuthentication.unauthenticated(TestKeys.ALICE).toString()).doesNotContain(TestKeys.ALICE);
	}

	@Test
	void refusesEverythingWhenNoKeysAreConfigured() {
		ApiKeyAuthenticationProvider empty = new ApiKeyAuthenticationProvider(List.of());

		assertThat(empty.hasKeys()).isFalse();
		assertThatExceptionOfType(BadCredentialsException.class)
			.isThrownBy(() -> empty.authenticate(ApiKeyAuthentication.unauthenticated(TestKeys.ALICE)));
	}

	@Test
	void readsTheKeyFromEitherHeaderAndIgnoresOtherSchemes() {
		assertThat(ApiKeyAuthenticationFilter.presentedKey(request("Authorization", "Bearer  abc "))).isEqualTo("abc");
		assertThat(ApiKeyAuthenticationFilter.presentedKey(request("X-API-Key", "abc"))).isEqualTo("abc");
		assertThat(ApiKeyAuthenticationFilter.presentedKey(request("Authorization", "Basic YTpi"))).isNull();
		assertThat(ApiKeyAuthenticationFilter.presentedKey(request())).isNull();
	}

	@Test
	void refusesKeysThatCannotBeKeys() {
		for (String value : new String[] { "", "a b", "k\u00e9y", "x".repeat(513), "tab\tkey" }) {
			assertThatExceptionOfType(ProblemResponses.InvalidApiKeyException.class).as(value)
				.isThrownBy(() -> ApiKeyAuthenticationFilter.presentedKey(request("X-API-Key", value)));
		}
	}

	private static MockHttpServletRequest request(String... headers) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/balances");
		for (int i = 0; i < headers.length; i += 2) {
			request.addHeader(headers[i], headers[i + 1]);
		}
		return request;
	}

}
