package dev.klingbalances.provider;

import java.time.Duration;

import dev.klingbalances.model.ErrorCode;
import org.jspecify.annotations.Nullable;

/**
 * A classified upstream failure. Providers throw nothing else from a fetch. The message is shown to
 * API consumers, so it must never contain a credential, a token or a raw upstream body.
 */
public class UpstreamException extends RuntimeException {

	private final ErrorCode code;

	private final @Nullable Integer upstreamStatus;

	private final @Nullable Duration retryAfter;

	public UpstreamException(ErrorCode code, String message, @Nullable Integer upstreamStatus,
			@Nullable Duration retryAfter, @Nullable Throwable cause) {
		super(message, cause);
		this.code = code;
		this.upstreamStatus = upstreamStatus;
		this.retryAfter = retryAfter;
	}

	public UpstreamException(ErrorCode code, String message, @Nullable Integer upstreamStatus) {
		this(code, message, upstreamStatus, null, null);
	}

	public ErrorCode code() {
		return this.code;
	}

	/** HTTP status the upstream answered with, or null when there was no answer. */
	public @Nullable Integer upstreamStatus() {
		return this.upstreamStatus;
	}

	/** How long the upstream asked us to wait ({@code Retry-After}), or null. */
	public @Nullable Duration retryAfter() {
		return this.retryAfter;
	}

	public boolean retryable() {
		return this.code.failureClass().retryable();
	}

}
