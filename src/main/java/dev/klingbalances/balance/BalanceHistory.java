package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Records every account's figures as they are fetched (and the failures in between) into the
 * {@link HistoryStore}, with the running consumption the forecast is fitted to. Unchanged
 * figures are recorded at most once per {@code balances.forecast.resolution}; the store keeps
 * {@code balances.forecast.window} of them.
 */
final class BalanceHistory {

	private final HistoryStore store;

	private final BalancesProperties.ForecastSettings settings;

	private final Clock clock;

	BalanceHistory(HistoryStore store, BalancesProperties.ForecastSettings settings, Clock clock) {
		this.store = store;
		this.settings = settings;
		this.clock = clock;
	}

	/** Records a published entry; {@code previous} holds the last good snapshot, if any. */
	void record(String provider, String account, @Nullable CachedValue<BalanceSnapshot> previous,
			CachedValue<BalanceSnapshot> next) {
		HistorySample last = this.store.last(provider, account);
		BigDecimal consumedSoFar = (last != null) ? last.consumed() : BigDecimal.ZERO;
		HistorySample sample;
		if (next.error() == null && next.value() != null && next.fetchedAt() != null) {
			BigDecimal consumed = consumedSoFar;
			if (previous != null && previous.value() != null && previous.fetchedAt() != null) {
				consumed = consumed.add(Grants.consumed(previous.value().grants(), previous.fetchedAt(),
						next.value().grants(), next.fetchedAt()));
			}
			List<Grant> active = Grants.active(Grants.asOf(next.value().grants(), next.fetchedAt()));
			sample = new HistorySample(next.fetchedAt(), Grants.remaining(active), Grants.total(active), false, null,
					consumed);
		}
		else if (next.error() != null) {
			BalanceSnapshot lastGood = next.value();
			List<Grant> active = (lastGood != null) ? Grants.active(Grants.asOf(lastGood.grants(), next.checkedAt()))
					: null;
			sample = new HistorySample(next.checkedAt(), (active != null) ? Grants.remaining(active) : null,
					(active != null) ? Grants.total(active) : null, true, next.error().code(), consumedSoFar);
		}
		else {
			return;
		}
		if (last != null && sameState(last, sample)
				&& Duration.between(last.at(), sample.at()).compareTo(this.settings.resolution()) < 0) {
			return;
		}
		this.store.append(provider, account, sample, oldest(), this.settings.maxSamples());
	}

	/** The account's samples within the window, oldest first. */
	List<HistorySample> samples(String provider, String account) {
		return this.store.read(provider, account, oldest());
	}

	/** The samples at or after {@code since} (not before the window), oldest first. */
	List<HistorySample> samples(String provider, String account, Instant since) {
		Instant oldest = oldest();
		return this.store.read(provider, account, since.isAfter(oldest) ? since : oldest);
	}

	/** Forgets the series with nothing recorded within the window (accounts gone for that long). */
	void forgetIdle() {
		this.store.forgetIdle(oldest());
	}

	private Instant oldest() {
		return this.clock.instant().minus(this.settings.window());
	}

	private static boolean sameState(HistorySample a, HistorySample b) {
		return a.error() == b.error() && a.stale() == b.stale() && same(a.remaining(), b.remaining())
				&& same(a.total(), b.total()) && a.consumed().compareTo(b.consumed()) == 0;
	}

	private static boolean same(@Nullable BigDecimal a, @Nullable BigDecimal b) {
		return (a == null) ? b == null : b != null && a.compareTo(b) == 0;
	}

}
