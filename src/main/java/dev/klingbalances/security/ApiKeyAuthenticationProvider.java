package dev.klingbalances.security;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import dev.klingbalances.balance.AccountScope;
import dev.klingbalances.model.Sha256;
import org.jspecify.annotations.Nullable;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;

/**
 * Finds the consumer whose configured SHA-256 matches the presented key. Every configured hash
 * is compared, in constant time, whatever matched earlier: the time taken says nothing about
 * which hashes exist or how close a guess came.
 */
final class ApiKeyAuthenticationProvider implements AuthenticationProvider {

	private final List<Consumer> consumers;

	ApiKeyAuthenticationProvider(List<SecurityProperties.ApiKey> apiKeys) {
		this.consumers = apiKeys.stream()
			.map((key) -> new Consumer(key.name(), HexFormat.of().parseHex(key.sha256()), key.scope()))
			.toList();
	}

	@Override
	public Authentication authenticate(Authentication authentication) {
		Object credentials = authentication.getCredentials();
		if (!(credentials instanceof String key)) {
			throw new BadCredentialsException("No API key");
		}
		Consumer consumer = consumerOf(key);
		if (consumer == null) {
			throw new BadCredentialsException("Unknown API key");
		}
		return ApiKeyAuthentication.authenticated(consumer.name(), consumer.scope());
	}

	@Override
	public boolean supports(Class<?> authentication) {
		return ApiKeyAuthentication.class.isAssignableFrom(authentication);
	}

	boolean hasKeys() {
		return !this.consumers.isEmpty();
	}

	private @Nullable Consumer consumerOf(String key) {
		byte[] presented = sha256(key);
		Consumer match = null;
		for (Consumer consumer : this.consumers) {
			boolean equal = MessageDigest.isEqual(consumer.sha256(), presented);
			if (equal && match == null) {
				match = consumer;
			}
		}
		return match;
	}

	static byte[] sha256(String key) {
		return Sha256.of(key);
	}

	private record Consumer(String name, byte[] sha256, AccountScope scope) {

		@Override
		public String toString() {
			return "Consumer[name=" + this.name + "]";
		}

	}

}
