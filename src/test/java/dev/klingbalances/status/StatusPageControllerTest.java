package dev.klingbalances.status;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/** The page asks for a key exactly when /balances wants one: unless balances.security.mode is none. */
class StatusPageControllerTest {

	@Test
	void needsAKeyByDefault() {
		assertThat(StatusPageController.keyRequired(new MockEnvironment())).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "api-key", "API_KEY", "apikey" })
	void needsAKeyInApiKeyMode(String mode) {
		assertThat(StatusPageController.keyRequired(new MockEnvironment().withProperty("balances.security.mode", mode))).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "none", "NONE", "None" })
	void needsNoKeyInOpenMode(String mode) {
		assertThat(StatusPageController.keyRequired(new MockEnvironment().withProperty("balances.security.mode", mode))).isFalse();
	}

}
