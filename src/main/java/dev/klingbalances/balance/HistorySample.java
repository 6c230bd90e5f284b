package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One recorded state of an account: its figures as answered, or the failure that kept them
 * from being read.
 *
 * @param at when the figures were fetched, or the failure happened
 * @param remaining the account's remaining (active grants), null when unknown
 * @param total the account's total (active grants), null when unknown
 * @param stale true for a failure: the figures (if any) are the last good ones
 * @param error the failure's code, null for a successful read
 * @param consumed running sum of consumption since the history began (see
 * {@link Grants#consumed}); failures carry the last value on
 */
public record HistorySample(Instant at, @Nullable BigDecimal remaining, @Nullable BigDecimal total, boolean stale,
		@Nullable ErrorCode error, BigDecimal consumed) {

	boolean isSuccess() {
		return this.error == null;
	}

}
