package dev.klingbalances.balance;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The pattern syntax of scoped keys: {@code provider/account}, {@code *} for any run of characters. */
class AccountScopeTest {

	@Test
	void aStarMatchesAnyRunAndEverythingElseIsLiteral() {
		AccountScope scope = AccountScope.of(List.of("kling/*", "useapi/render.*@example.org"));

		assertThat(scope.includes("kling", "studio-main")).isTrue();
		assertThat(scope.includes("kling", "")).as("no account name is no account, but * matches none").isTrue();
		assertThat(scope.includes("useapi", "render.a@example.org")).isTrue();
		assertThat(scope.includes("useapi", "render.@example.org")).isTrue();
		assertThat(scope.includes("useapi", "renderXa@example.org")).as("'.' is a dot, not any character").isFalse();
		assertThat(scope.includes("useapi", "render.a@example.org.evil")).as("the whole name").isFalse();
		assertThat(scope.includes("useapi", "x-render.a@example.org")).isFalse();
		assertThat(scope.includes("klingx", "studio-main")).as("the whole provider name").isFalse();
		assertThat(scope.mayInclude("kling")).isTrue();
		assertThat(scope.mayInclude("other")).isFalse();
	}

	@Test
	void starsAnywhereAndRegexCharactersLiterally() {
		AccountScope scope = AccountScope.of(List.of("*/team-*-a", "kling/a+b(c)"));

		assertThat(scope.includes("kling", "team-x-a")).isTrue();
		assertThat(scope.includes("useapi", "team--a")).isTrue();
		assertThat(scope.includes("kling", "team-x-b")).isFalse();
		assertThat(scope.includes("kling", "a+b(c)")).isTrue();
		assertThat(scope.includes("kling", "aab(c)")).isFalse();
	}

	@Test
	void noPatternIsEveryAccountAndEqualPatternsShareAKey() {
		assertThat(AccountScope.of(List.of())).isSameAs(AccountScope.ALL);
		assertThat(AccountScope.ALL.includes("any", "thing")).isTrue();
		assertThat(AccountScope.of(List.of("b/*", "a/*")).key()).isEqualTo(AccountScope.of(List.of("a/*", "b/*")).key())
			.isNotEqualTo(AccountScope.ALL.key());
	}

	@Test
	void malformedPatternsAreRefusedWithTheirPosition() {
		assertThatIllegalArgumentException().isThrownBy(() -> AccountScope.of(List.of("kling/*", "kling")))
			.withMessageStartingWith("[1] must be 'provider/account'");
		for (String malformed : new String[] { "", "kling/", "/a", "a/b/c", "a /b", "a/b\n" }) {
			assertThat(AccountScope.malformed(malformed)).as(malformed).isNotNull();
		}
	}

}
