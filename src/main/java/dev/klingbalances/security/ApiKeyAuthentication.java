package dev.klingbalances.security;

import java.util.List;

import dev.klingbalances.balance.AccountScope;
import org.jspecify.annotations.Nullable;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A presented API key before authentication, or the consumer it belongs to after. Once
 * authenticated it holds the consumer's name only; the key is never kept, printed or logged.
 */
final class ApiKeyAuthentication extends AbstractAuthenticationToken implements AccountScope.Scoped {

	private final @Nullable String key;

	private final @Nullable String consumer;

	/** The accounts the consumer may see; it reaches the controllers as the request's principal. */
	private final AccountScope scope;

	private ApiKeyAuthentication(@Nullable String key, @Nullable String consumer, AccountScope scope) {
		super((consumer != null) ? List.of(new SimpleGrantedAuthority("ROLE_CONSUMER")) : List.of());
		this.key = key;
		this.consumer = consumer;
		this.scope = scope;
		setAuthenticated(consumer != null);
	}

	static ApiKeyAuthentication unauthenticated(String key) {
		return new ApiKeyAuthentication(key, null, AccountScope.ALL);
	}

	static ApiKeyAuthentication authenticated(String consumer) {
		return authenticated(consumer, AccountScope.ALL);
	}

	static ApiKeyAuthentication authenticated(String consumer, AccountScope scope) {
		return new ApiKeyAuthentication(null, consumer, scope);
	}

	@Override
	public AccountScope scope() {
		return this.scope;
	}

	/** The presented key (unauthenticated tokens only). */
	@Override
	public @Nullable Object getCredentials() {
		return this.key;
	}

	/** The consumer's name (authenticated tokens only). */
	@Override
	public @Nullable Object getPrincipal() {
		return this.consumer;
	}

	@Override
	public String getName() {
		return (this.consumer != null) ? this.consumer : "";
	}

	@Override
	public String toString() {
		return "ApiKeyAuthentication[consumer=" + this.consumer + "]";
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return other instanceof ApiKeyAuthentication that && java.util.Objects.equals(this.consumer, that.consumer)
				&& java.util.Objects.equals(this.key, that.key);
	}

	@Override
	public int hashCode() {
		return java.util.Objects.hashCode(this.consumer);
	}

}
