package dev.klingbalances.model;

import java.math.BigDecimal;
import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * Something of an account that expires within {@code balances.alerts.expiry-warning}: an active
 * grant with what is left on it, or the upstream session the account is read through.
 */
@Schema(description = "An active grant, or the account's upstream session, that expires within balances.alerts.expiry-warning (default 7 days)")
public record ExpiringSoon(@Schema(description = "GRANT: an active grant; SESSION: the upstream session this account is read through (useapi.net), after which its figures can no longer be read") Kind kind,
		@Schema(description = "GRANT: the grant's product; null for SESSION (it concerns every product of the account)", example = "video", nullable = true) @Nullable String product,
		@Schema(description = "GRANT: the grant's upstream id", nullable = true) @Nullable String grant,
		@Schema(description = "GRANT: the grant's name", nullable = true) @Nullable String name,
		@Schema(description = "GRANT: capacity still left on it (lost at expiry unless used)", nullable = true) @Nullable BigDecimal remaining,
		@Schema(description = "When it expires (UTC)") Instant expiresAt) {

	/** What expires. */
	@Schema(name = "ExpiringSoonKind", enumAsRef = true, description = "GRANT or SESSION")
	public enum Kind {

		GRANT, SESSION

	}

}
