package dev.klingbalances.notify;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.klingbalances.model.ErrorCode;
import org.jspecify.annotations.Nullable;

/**
 * The body of a {@code json} webhook (see the README's "Notifications"): one condition of one
 * account (or provider) starting or ending. Field names are a contract; new fields may be added.
 *
 * @param version the event format, 1
 * @param id unique per event; a retried delivery carries the same id (receivers deduplicate on it)
 * @param type the condition
 * @param state FIRING when it starts, RESOLVED when it ends
 * @param scope ACCOUNT, POOL (a provider's accounts together) or PROVIDER (its account list)
 * @param occurredAt when this service saw the transition
 * @param provider provider name
 * @param account account id or e-mail; null unless the scope is ACCOUNT
 * @param product the product (video, image, other, credits) of a capacity condition (LOW_BALANCE,
 * RUNS_OUT, EXPIRING_UNUSED): capacity of one product never pays for another; null for the
 * conditions of a whole account or list
 * @param unit the provider's unit; null when not known
 * @param summary one line for people
 * @param fingerprint the same for the FIRING and the RESOLVED of one condition
 * @param figures the figures behind it (only those that apply)
 */
public record NotificationEvent(int version, String id, EventType type, State state, Scope scope, Instant occurredAt,
		String provider, @Nullable String account, @Nullable String product, @Nullable String unit, String summary, String fingerprint,
		Figures figures) {

	/** Whether a condition starts or ends. */
	public enum State {

		FIRING, RESOLVED

	}

	/** What the condition is about. */
	public enum Scope {

		ACCOUNT, POOL, PROVIDER

	}

	/**
	 * The figures that matter for the event's type; absent (not null) when they do not apply.
	 *
	 * @param remaining capacity left (LOW_BALANCE, RUNS_OUT)
	 * @param total capacity the active grants started with (LOW_BALANCE)
	 * @param threshold the low-balance threshold (LOW_BALANCE)
	 * @param burnPerDay forecast consumption per day (RUNS_OUT, EXPIRING_UNUSED)
	 * @param runsOutAt forecast first run-out of the product (RUNS_OUT); a gap before a pending pack
 * starts counts
 * @param refillsAt when the next pending pack starts after that run-out (RUNS_OUT), when one does
	 * @param within the configured window of the condition (time-based conditions)
	 * @param expiringUnused capacity forecast to expire unused (EXPIRING_UNUSED)
	 * @param expiringBy when the first of it expires (EXPIRING_UNUSED)
	 * @param expiresAt when the upstream session expires (SESSION_EXPIRING)
	 * @param fetchedAt when the figures shown were fetched (STALE_DATA)
	 * @param errorCode the account's latest error (errors, STALE_DATA)
	 * @param errorMessage its explanation; never contains a credential
	 * @param upstreamStatus the upstream's HTTP status, when it answered
	 * @param since when this service first saw the failure (errors)
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record Figures(@Nullable BigDecimal remaining, @Nullable BigDecimal total, @Nullable BigDecimal threshold,
			@Nullable BigDecimal burnPerDay, @Nullable Instant runsOutAt, @Nullable Instant refillsAt,
			@Nullable Duration within,
			@Nullable BigDecimal expiringUnused, @Nullable Instant expiringBy, @Nullable Instant expiresAt,
			@Nullable Instant fetchedAt, @Nullable ErrorCode errorCode, @Nullable String errorMessage,
			@Nullable Integer upstreamStatus, @Nullable Instant since) {

		static final Figures NONE = new Figures(null, null, null, null, null, null, null, null, null, null, null, null, null,
				null, null);

	}

}
