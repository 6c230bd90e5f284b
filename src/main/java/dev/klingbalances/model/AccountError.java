package dev.klingbalances.model;

import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/** Why an account's figures are missing or stale. */
@Schema(description = "Why an account (or a provider's account list) could not be read. Never a zero balance in disguise.")
public record AccountError(
		@Schema(description = "Stable machine-readable failure code; see the README for the list and meaning") ErrorCode code,
		@Schema(description = "Human-readable explanation; never contains a credential", example = "Kling answered 429 with code 1101: the account is in arrears.") String message,
		@Schema(description = "HTTP status the upstream answered with; null when there was no answer", example = "429", nullable = true) @Nullable Integer upstreamStatus,
		@Schema(description = "When the failure happened (UTC)") Instant occurredAt) {
}
