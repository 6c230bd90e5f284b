package dev.klingbalances.forecast;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.klingbalances.cache.CachedValue;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.Grants;
import dev.klingbalances.provider.BalanceSnapshot;
import org.jspecify.annotations.Nullable;

/**
 * Records every account's figures as they are fetched (and the failures in between) into the
 * {@link HistoryStore}, with the running consumption the forecast is fitted to. Unchanged
 * figures are recorded at most once per {@code balances.forecast.resolution}; the store keeps
 * {@code balances.forecast.window} of them.
 */
public final class BalanceHistory {

	private final HistoryStore store;

	private final ForecastSettings settings;

	private final Clock clock;

	public BalanceHistory(HistoryStore store, ForecastSettings settings, Clock clock) {
		this.store = store;
		this.settings = settings;
		this.clock = clock;
	}

	/**
	 * Records a published entry; {@code previous} holds the last good snapshot, if any. The
	 * sample carries this step's consumption per product: the store adds it to the running sum
	 * of the last sample it holds (shared by every replica with the Redis store), so the sum
	 * never rests on this replica's copy of the series.
	 */
	public void record(String provider, String account, @Nullable CachedValue<BalanceSnapshot> previous,
			CachedValue<BalanceSnapshot> next) {
		HistorySample sample;
		if (next.error() == null && next.value() != null && next.fetchedAt() != null) {
			List<Grant> grants = Grants.asOf(next.value().grants(), next.fetchedAt());
			Map<String, BigDecimal> step = (previous != null && previous.value() != null && previous.fetchedAt() != null)
					? Consumption.consumed(previous.value().grants(), previous.fetchedAt(), next.value().grants(),
							next.fetchedAt())
					: Consumption.nothingConsumed(grants);
			sample = new HistorySample(next.fetchedAt(), false, null, Consumption.figures(grants), step);
		}
		else if (next.error() != null) {
			BalanceSnapshot lastGood = next.value();
			List<HistorySample.ProductFigures> figures = (lastGood != null)
					? Consumption.figures(Grants.asOf(lastGood.grants(), next.checkedAt())) : List.of();
			// A failure consumes nothing: every product's sum is carried on by the store.
			sample = new HistorySample(next.checkedAt(), true, next.error().code(), figures, Map.of());
		}
		else {
			return;
		}
		// Only to leave unchanged figures out: this replica's copy is good enough for that.
		HistorySample last = this.store.last(provider, account);
		if (last != null && sameState(last, sample)
				&& Duration.between(last.at(), sample.at()).compareTo(this.settings.resolution()) < 0) {
			return;
		}
		this.store.append(provider, account, sample, oldest(), this.settings.maxSamples());
	}

	/** The account's samples within the window, oldest first. */
	public List<HistorySample> samples(String provider, String account) {
		return this.store.read(provider, account, oldest());
	}

	/** The samples at or after {@code since} (not before the window), oldest first. */
	public List<HistorySample> samples(String provider, String account, Instant since) {
		Instant oldest = oldest();
		return this.store.read(provider, account, since.isAfter(oldest) ? since : oldest);
	}

	/** Forgets the series with nothing recorded within the window (accounts gone for that long). */
	public void forgetIdle() {
		this.store.forgetIdle(oldest());
	}

	private Instant oldest() {
		return this.clock.instant().minus(this.settings.window());
	}

	/** Same figures, same failure, and nothing consumed in between. */
	private static boolean sameState(HistorySample last, HistorySample next) {
		if (last.error() != next.error() || last.stale() != next.stale()
				|| last.products().size() != next.products().size()) {
			return false;
		}
		for (int i = 0; i < last.products().size(); i++) {
			HistorySample.ProductFigures a = last.products().get(i);
			HistorySample.ProductFigures b = next.products().get(i);
			if (!a.product().equals(b.product()) || !same(a.remaining(), b.remaining()) || !same(a.total(), b.total())) {
				return false;
			}
		}
		return next.consumed() == null || next.consumed().values().stream().allMatch((used) -> used.signum() == 0);
	}

	private static boolean same(@Nullable BigDecimal a, @Nullable BigDecimal b) {
		return (a == null) ? b == null : b != null && a.compareTo(b) == 0;
	}

}
