package dev.klingbalances.forecast;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import dev.klingbalances.model.Decimals;
import dev.klingbalances.model.Forecast;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.model.Grants;
import org.jspecify.annotations.Nullable;

/**
 * Forecasts from the recorded history: a burn rate fitted to the running consumption, and a
 * simulation of the grants being used at that rate.
 * <p>
 * The rate is the least-squares slope of the running consumption over the window. Consumption
 * only counts decreases of grants that stay active (see {@link Grants#consumed}), so top-ups,
 * new packs and packs that expire with credits on them do not bend it. Kling's figures move in
 * steps (they lag up to 12 h), so nothing is said before {@code min-span} of history.
 * <p>
 * Everything is per product: one product's capacity never pays for another's consumption.
 * <p>
 * The simulation starts when the figures describe (fetchedAt minus the provider's data delay,
 * so it errs early, never late), uses the earliest-expiring grant first, lets PENDING grants
 * join when they start, and counts what an expiry takes with it as expiring unused. The run-out
 * is the first moment nothing usable is left, even when a pending grant starts later (its
 * start is the refill): requests fail in that gap.
 */
public final class Forecaster {

	private static final double SECONDS_PER_DAY = 86_400;

	private final ForecastSettings settings;

	public Forecaster(ForecastSettings settings) {
		this.settings = settings;
	}

	/**
	 * One product's burn rate and what it rests on.
	 * @param samples the account's history within the window, oldest first
	 * @param product the product: its running consumption is fitted, from the first sample that has it
	 * @param fetchedAt when the current figures were fetched (recorded, or left out of the
	 * history because unchanged), null when there are none
	 */
	public Rate rate(List<HistorySample> samples, String product, @Nullable Instant fetchedAt) {
		List<double[]> points = new ArrayList<>();
		Instant from = null;
		Instant to = null;
		BigDecimal consumed = null;
		for (HistorySample sample : samples) {
			BigDecimal running = (sample.consumed() != null) ? sample.consumed().get(product) : null;
			if (sample.isSuccess() && running != null) {
				from = (from != null) ? from : sample.at();
				to = sample.at();
				consumed = running;
				points.add(new double[] { seconds(sample.at()), running.doubleValue() });
			}
		}
		if (to == null) {
			return new Rate(null, null);
		}
		if (fetchedAt != null && fetchedAt.isAfter(to)) {
			// The current figures equal the last recorded ones: the rate held since then.
			points.add(new double[] { seconds(fetchedAt), consumed.doubleValue() });
			to = fetchedAt;
		}
		Forecast.Basis basis = new Forecast.Basis(from, to, points.size());
		if (points.size() < 2 || Duration.between(from, to).compareTo(this.settings.minSpan()) < 0) {
			return new Rate(null, basis);
		}
		double slope = slope(points);
		return Double.isNaN(slope) ? new Rate(null, basis)
				: new Rate(amount(Math.max(0, slope) * SECONDS_PER_DAY), basis);
	}

	/** One product's forecast on one account: its rate, its grants of it (as of now) and when its figures describe. */
	public Forecast forecast(Rate rate, List<Grant> grants, Instant describedAt) {
		if (rate.perDay() == null) {
			return new Forecast(null, null, null, null, rate.basis());
		}
		Outlook outlook = simulate(grants, describedAt, rate.perDay());
		return outlook.forecast(rate.perDay(), rate.basis());
	}

	/**
	 * A pool's forecast (one product of one provider): all its accounts' grants of the product used
	 * at the sum of their rates, as if work
	 * moved to wherever capacity is left. Null rate when an account with capacity has none.
	 */
	public Forecast pool(List<Input> accounts) {
		BigDecimal perDay = BigDecimal.ZERO;
		boolean known = true;
		List<Grant> grants = new ArrayList<>();
		Instant describedAt = null;
		Instant from = null;
		Instant to = null;
		int samples = 0;
		for (Input account : accounts) {
			Forecast.Basis basis = account.rate().basis();
			if (basis != null) {
				from = (from == null || basis.from().isBefore(from)) ? basis.from() : from;
				to = (to == null || basis.to().isAfter(to)) ? basis.to() : to;
				samples += basis.samples();
			}
			boolean hasCapacity = account.grants().stream().anyMatch(Forecaster::hasCapacity);
			if (account.rate().perDay() != null) {
				perDay = perDay.add(account.rate().perDay());
			}
			else if (hasCapacity) {
				known = false;
			}
			grants.addAll(account.grants());
			describedAt = (describedAt == null || account.describedAt().isBefore(describedAt)) ? account.describedAt()
					: describedAt;
		}
		Forecast.Basis basis = (from != null) ? new Forecast.Basis(from, to, samples) : null;
		if (!known || accounts.isEmpty()) {
			return new Forecast(null, null, null, null, basis);
		}
		return simulate(grants, describedAt, perDay).forecast(perDay, basis);
	}

	/**
	 * Uses the grants from {@code start} at {@code perDay}, earliest expiry first. The run-out is
	 * the first moment no grant has anything usable left (a gap before a pending grant starts
	 * included), the refill the start of the next pending grant after it; the simulation goes on
	 * past a gap to see what expires unused later. Null outlook fields when a grant's quantity is
	 * unknown; no run-out date when there is nothing to use.
	 */
	public static Outlook simulate(List<Grant> grants, Instant start, BigDecimal perDay) {
		List<Slice> slices = new ArrayList<>();
		for (Grant grant : grants) {
			if (grant.status() != GrantStatus.ACTIVE && grant.status() != GrantStatus.PENDING) {
				continue;
			}
			if (grant.remaining() == null) {
				return new Outlook(null, null, null);
			}
			if (grant.status() == GrantStatus.PENDING && grant.startsAt() == null) {
				continue;
			}
			if (grant.remaining().signum() > 0) {
				double begins = (grant.status() == GrantStatus.PENDING) ? seconds(grant.startsAt()) : Double.NEGATIVE_INFINITY;
				double ends = (grant.expiresAt() != null) ? seconds(grant.expiresAt()) : Double.POSITIVE_INFINITY;
				if (ends > seconds(start)) {
					slices.add(new Slice(begins, ends, grant.remaining().doubleValue()));
				}
			}
		}
		if (slices.isEmpty()) {
			return new Outlook(null, null, new Forecast.ExpiringUnused(BigDecimal.ZERO, null));
		}
		slices.sort(Comparator.comparingDouble(Slice::ends));
		double rate = Math.max(0, perDay.doubleValue() / SECONDS_PER_DAY);
		double now = seconds(start);
		double unused = 0;
		double firstLapse = Double.POSITIVE_INFINITY;
		double runsOut = Double.NaN;
		double refills = Double.NaN;
		while (true) {
			// What has expired by now lapses with what is left on it.
			for (Slice slice : slices) {
				if (slice.left > 0 && slice.ends <= now) {
					unused += slice.left;
					firstLapse = Math.min(firstLapse, slice.ends);
					slice.left = 0;
				}
			}
			Slice using = null;
			double nextStart = Double.POSITIVE_INFINITY;
			for (Slice slice : slices) {
				if (slice.left <= 0) {
					continue;
				}
				if (slice.begins <= now) {
					using = (using == null) ? slice : using;
				}
				else {
					nextStart = Math.min(nextStart, slice.begins);
				}
			}
			if (using == null) {
				// Nothing usable: the first time, that is the run-out (and the next start its refill).
				if (Double.isNaN(runsOut)) {
					runsOut = now;
					refills = nextStart;
				}
				if (nextStart == Double.POSITIVE_INFINITY) {
					break;
				}
				now = nextStart;
				continue;
			}
			double until = Math.min(using.ends, nextStart);
			double empty = (rate > 0) ? now + using.left / rate : Double.POSITIVE_INFINITY;
			if (empty == Double.POSITIVE_INFINITY && until == Double.POSITIVE_INFINITY) {
				// Never used up, never expires, nothing else to start: it never runs out.
				break;
			}
			if (empty <= until) {
				now = empty;
				using.left = 0;
			}
			else {
				using.left -= rate * (until - now);
				now = until;
			}
		}
		return new Outlook(Double.isNaN(runsOut) ? null : instant(runsOut),
				(Double.isNaN(refills) || refills == Double.POSITIVE_INFINITY) ? null
						: Instant.ofEpochMilli(Math.round(refills * 1000)),
				expiring(unused, firstLapse));
	}

	/**
	 * What is probably left at {@code at}: the reported figure less the rate over the time since
	 * the figures describe, floored at zero; null without a rate or a figure. The figure is never
	 * raised (an {@code at} before {@code describedAt} counts as no time).
	 */
	public static @Nullable BigDecimal estimate(@Nullable BigDecimal remaining, @Nullable BigDecimal perDay,
			Instant describedAt, Instant at) {
		if (remaining == null || perDay == null) {
			return null;
		}
		long millis = Math.max(0, Duration.between(describedAt, at).toMillis());
		BigDecimal used = perDay.multiply(BigDecimal.valueOf(millis)).divide(BigDecimal.valueOf(86_400_000L), 6, RoundingMode.HALF_UP);
		BigDecimal left = remaining.subtract(used);
		return amount(Math.max(0, left.doubleValue()));
	}

	/** The start of the estimate step {@code now} is in (whole seconds since the epoch). */
	public static Instant estimateAt(Instant now, Duration step) {
		long seconds = now.getEpochSecond();
		return Instant.ofEpochSecond(seconds - Math.floorMod(seconds, step.getSeconds()));
	}

	private static Forecast.ExpiringUnused expiring(double amount, double firstLapse) {
		return new Forecast.ExpiringUnused(amount(amount),
				(amount > 0 && firstLapse != Double.POSITIVE_INFINITY) ? instant(firstLapse) : null);
	}

	private static boolean hasCapacity(Grant grant) {
		return (grant.status() == GrantStatus.ACTIVE || grant.status() == GrantStatus.PENDING)
				&& (grant.remaining() == null || grant.remaining().signum() > 0);
	}

	/** Least-squares slope of y over x; NaN when x does not vary. */
	private static double slope(List<double[]> points) {
		double meanX = points.stream().mapToDouble((point) -> point[0]).average().orElse(0);
		double meanY = points.stream().mapToDouble((point) -> point[1]).average().orElse(0);
		double covariance = 0;
		double variance = 0;
		for (double[] point : points) {
			covariance += (point[0] - meanX) * (point[1] - meanY);
			variance += (point[0] - meanX) * (point[0] - meanX);
		}
		return (variance > 0) ? covariance / variance : Double.NaN;
	}

	/** Three decimals, no trailing zeros, never in exponent notation. */
	public static BigDecimal amount(double value) {
		return Decimals.round(BigDecimal.valueOf(value), 3);
	}

	private static double seconds(Instant instant) {
		return instant.getEpochSecond() + instant.getNano() / 1e9;
	}

	/** Whole seconds, rounded down: a run-out date errs early. */
	private static Instant instant(double seconds) {
		return Instant.ofEpochSecond((long) Math.floor(seconds));
	}

	/** A burn rate (null when not known) and the history it rests on (null when none). */
	public record Rate(@Nullable BigDecimal perDay, Forecast.@Nullable Basis basis) {
	}

	/** One account's part in a pool forecast. */
	public record Input(Rate rate, List<Grant> grants, Instant describedAt) {
	}

	public record Outlook(@Nullable Instant runsOutAt, @Nullable Instant refillsAt,
			Forecast.@Nullable ExpiringUnused expiringUnused) {

		Forecast forecast(BigDecimal perDay, Forecast.@Nullable Basis basis) {
			return new Forecast(perDay, this.runsOutAt, this.refillsAt, this.expiringUnused, basis);
		}

	}

	private static final class Slice {

		private final double begins;

		private final double ends;

		private double left;

		Slice(double begins, double ends, double left) {
			this.begins = begins;
			this.ends = ends;
			this.left = left;
		}

		double ends() {
			return this.ends;
		}

	}

}
