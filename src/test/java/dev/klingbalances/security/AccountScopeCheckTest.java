package dev.klingbalances.security;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A consumer's pattern that matches no account is a warning naming the key, not a failure. */
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

}
