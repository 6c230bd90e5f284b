package dev.klingbalances.notify;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.klingbalances.balance.BalancesProperties;
import dev.klingbalances.cache.CacheSettings;
import dev.klingbalances.model.AccountBalance;
import dev.klingbalances.model.AccountError;
import dev.klingbalances.model.BalancesResponse;
import dev.klingbalances.model.Decimals;
import dev.klingbalances.model.ErrorCode;
import dev.klingbalances.model.FailureClass;
import dev.klingbalances.model.Forecast;
import dev.klingbalances.model.ProductBalance;
import dev.klingbalances.model.ProviderError;
import dev.klingbalances.model.ProviderTotal;
import dev.klingbalances.notify.NotificationEvent.Figures;
import dev.klingbalances.provider.BalanceSnapshot;
import org.jspecify.annotations.Nullable;

/**
 * Works out, from one {@code /balances} view, which alert conditions hold, which are clear,
 * and which cannot be told (figures unknown, inside the hysteresis band, an error not yet old
 * enough). The thresholds are {@code balances.alerts.*}, as the chart's alert rules use them.
 * <p>
 * Hysteresis: a condition starts when its threshold is crossed and ends only once the figure is
 * {@code hysteresis} beyond it: a low balance at threshold 1000 ends above 1050; a run-out,
 * expiring-unused or session-expiry date within a 14-day window ends when it is more than
 * 14 × 1.05 days away. Unknown is never clear: no figures, no change.
 */
final class ConditionEvaluator {

	private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
		.withZone(ZoneOffset.UTC);

	private final BalancesProperties.Alerts alerts;

	private final boolean keepWarmAll;

	private final double hysteresis;

	private final NotificationStateStore store;

	ConditionEvaluator(BalancesProperties balances, double hysteresis, NotificationStateStore store) {
		this.alerts = balances.alerts();
		this.keepWarmAll = balances.cache().keepWarm() == CacheSettings.KeepWarm.ALL;
		this.hysteresis = hysteresis;
		this.store = store;
	}

	/** What one condition looks like now. */
	enum Verdict {

		/** It holds: fire, unless already firing. */
		HOLDS,
		/** It does not hold: resolve, if firing. */
		CLEAR,
		/** Cannot be told, or inside the hysteresis band: no change. */
		KEEP

	}

	/**
	 * One condition as seen now, with what a FIRING and a RESOLVED notification would say.
	 * @param unit the provider's unit
	 */
	record Observation(ConditionKey key, Verdict verdict, String unit, Figures figures, String firing,
			String resolved) {
	}

	/** Every condition of every account and provider in the view: one observation each. */
	List<Observation> evaluate(BalancesResponse response, Instant now) {
		List<Observation> observations = new ArrayList<>();
		for (AccountBalance account : response.accounts()) {
			// Capacity per product (one never pays for another); without products (no figures
			// yet), the account's own figures, which are unknown then.
			if (account.products().isEmpty()) {
				observations.add(lowBalance(account, null, account.remaining(), account.total()));
				observations.add(runsOut(new ConditionKey(EventType.RUNS_OUT, account.provider(), account.account()),
						account.unit(), account.remaining(), account.forecast(), now));
				observations.add(expiringUnused(account, null, account.forecast(), now));
			}
			for (ProductBalance product : account.products()) {
				observations.add(lowBalance(account, product.product(), product.remaining(), product.total()));
				observations.add(runsOut(new ConditionKey(EventType.RUNS_OUT, account.provider(), account.account(),
						product.product()), account.unit(), product.remaining(), product.forecast(), now));
				observations.add(expiringUnused(account, product.product(), product.forecast(), now));
			}
			observations.add(session(account, now));
			observations.add(stale(account, now));
			errors(account.provider(), account.account(), account.unit(), account.error(), true, now, observations);
		}
		Set<String> listsSeen = new HashSet<>();
		for (ProviderTotal total : response.totals()) {
			observations.add(runsOut(new ConditionKey(EventType.RUNS_OUT, total.provider(), null, total.product()),
					total.unit(), total.remaining(), total.forecast(), now));
			if (!listsSeen.add(total.provider())) {
				// The account list's conditions once per provider, whatever its products.
				continue;
			}
			AccountError listError = response.providerErrors()
				.stream()
				.filter((error) -> error.provider().equals(total.provider()))
				.map(ProviderError::error)
				.findFirst()
				.orElse(null);
			// No accounts and no error: the list may not have been read yet (start-up), so not clear.
			boolean listKnown = listError != null
					|| response.accounts().stream().anyMatch((account) -> account.provider().equals(total.provider()));
			errors(total.provider(), null, total.unit(), listError, listKnown, now, observations);
		}
		return observations;
	}

	private Observation lowBalance(AccountBalance account, @Nullable String product, @Nullable BigDecimal remaining,
			@Nullable BigDecimal total) {
		ConditionKey key = new ConditionKey(EventType.LOW_BALANCE, account.provider(), account.account(), product);
		BigDecimal threshold = this.alerts.lowBalanceOf(account.provider(), account.account(), account.unit());
		Figures figures = new Figures(remaining, total, threshold, null, null, null, null, null, null, null, null,
				null, null, null, null);
		String subject = key.subject();
		if (threshold == null) {
			return new Observation(key, Verdict.CLEAR, account.unit(), figures, "",
					subject + ": no low-balance threshold applies any more.");
		}
		Verdict verdict;
		if (remaining == null) {
			verdict = Verdict.KEEP;
		}
		else if (remaining.compareTo(threshold) < 0) {
			verdict = Verdict.HOLDS;
		}
		else {
			BigDecimal resolvesAbove = threshold.multiply(BigDecimal.valueOf(1 + this.hysteresis));
			verdict = (remaining.compareTo(resolvesAbove) > 0) ? Verdict.CLEAR : Verdict.KEEP;
		}
		String left = (remaining != null) ? amount(remaining) + " " + account.unit() + " left" : "figures unknown";
		return new Observation(key, verdict, account.unit(), figures,
				subject + " is low: " + left + ", below the threshold of " + amount(threshold) + ".",
				subject + " is no longer low: " + left + " (threshold " + amount(threshold) + ").");
	}

	/** Runs out within {@code runs-out-within}, or has run out; an account's or a provider's pool. */
	private Observation runsOut(ConditionKey key, String unit, @Nullable BigDecimal remaining, Forecast forecast,
			Instant now) {
		Duration window = this.alerts.runsOutWithin();
		Figures figures = new Figures(remaining, null, null, forecast.burnPerDay(), forecast.runsOutAt(),
				forecast.refillsAt(), window, null, null, null, null, null, null, null, null);
		String subject = (key.account() != null) ? key.subject()
				: key.provider() + ((key.product() != null) ? " " + key.product() : "") + " (all accounts together)";
		if (forecast.burnPerDay() == null) {
			return new Observation(key, Verdict.KEEP, unit, figures, "", "");
		}
		String rate = " at " + amount(forecast.burnPerDay()) + " " + unit + " a day";
		if (forecast.runsOutAt() == null) {
			// No run-out date: nothing left (it has run out), nothing is used, or a grant's remaining
			// is unknown (the forecast then has no expiringUnused either). Unknown is never clear.
			boolean out = remaining != null && remaining.signum() <= 0;
			boolean unknown = remaining == null || forecast.expiringUnused() == null;
			Verdict verdict = out ? Verdict.HOLDS : unknown ? Verdict.KEEP : Verdict.CLEAR;
			return new Observation(key, verdict, unit, figures,
					subject + " has run out: " + ((remaining != null) ? amount(remaining) : "no") + " " + unit + " left.",
					subject + " no longer runs out" + rate + ((remaining != null) ? " (" + amount(remaining) + " " + unit + " left)" : "") + ".");
		}
		return new Observation(key, window(forecast.runsOutAt(), now, window), unit, figures,
				subject + " runs out around " + WHEN.format(forecast.runsOutAt()) + rate + " (warning window "
						+ duration(window) + ").",
				subject + " no longer runs out within " + duration(window) + ": forecast "
						+ WHEN.format(forecast.runsOutAt()) + rate + ".");
	}

	private Observation expiringUnused(AccountBalance account, @Nullable String product, Forecast forecast,
			Instant now) {
		ConditionKey key = new ConditionKey(EventType.EXPIRING_UNUSED, account.provider(), account.account(), product);
		Duration window = this.alerts.expiringUnusedWithin();
		Forecast.ExpiringUnused unused = forecast.expiringUnused();
		Figures figures = new Figures(null, null, null, forecast.burnPerDay(), null, null, window,
				(unused != null) ? unused.amount() : null, (unused != null) ? unused.by() : null, null, null, null, null,
				null, null);
		String resolved = key.subject() + ": nothing is forecast to expire unused within " + duration(window) + " any more.";
		if (unused == null) {
			return new Observation(key, Verdict.KEEP, account.unit(), figures, "", resolved);
		}
		if (unused.amount().signum() <= 0 || unused.by() == null) {
			return new Observation(key, Verdict.CLEAR, account.unit(), figures, "", resolved);
		}
		String rate = (forecast.burnPerDay() != null)
				? " at the current use of " + amount(forecast.burnPerDay()) + " " + account.unit() + " a day" : "";
		return new Observation(key, window(unused.by(), now, window), account.unit(), figures,
				key.subject() + ": " + amount(unused.amount()) + " " + account.unit() + " will expire unused, the first on "
						+ WHEN.format(unused.by()) + rate + ".",
				resolved);
	}

	/** The upstream session (useapi.net) expires within {@code expiry-warning}, or has expired. */
	private Observation session(AccountBalance account, Instant now) {
		ConditionKey key = new ConditionKey(EventType.SESSION_EXPIRING, account.provider(), account.account());
		Duration window = this.alerts.expiryWarning();
		Instant expiresAt = (account.details().get(BalanceSnapshot.SESSION_EXPIRES_AT) instanceof Instant at) ? at
				: null;
		Figures figures = new Figures(null, null, null, null, null, null, window, null, null, expiresAt, null, null, null,
				null, null);
		if (expiresAt == null) {
			// No figures: unknown. Figures without a session (a Kling account): never holds.
			Verdict verdict = (account.fetchedAt() == null) ? Verdict.KEEP : Verdict.CLEAR;
			return new Observation(key, verdict, account.unit(), figures, "",
					key.subject() + ": the upstream session no longer reports an expiry.");
		}
		String firing = expiresAt.isAfter(now)
				? key.subject() + ": the upstream session expires on " + WHEN.format(expiresAt)
						+ "; renew it before then, or the account's figures can no longer be read."
				: key.subject() + ": the upstream session expired on " + WHEN.format(expiresAt)
						+ "; renew it, or the account's figures can no longer be read.";
		return new Observation(key, window(expiresAt, now, window), account.unit(), figures, firing,
				key.subject() + ": the upstream session now expires on " + WHEN.format(expiresAt) + ".");
	}

	/**
	 * Figures older than {@code stale-after} and stale: a refresh failed, or (with
	 * {@code keep-warm=all}) none happened. With {@code keep-warm=requested} an account nobody asks
	 * for goes stale by design, so only failed refreshes count then.
	 */
	private Observation stale(AccountBalance account, Instant now) {
		ConditionKey key = new ConditionKey(EventType.STALE_DATA, account.provider(), account.account());
		AccountError error = account.error();
		Instant fetchedAt = account.fetchedAt();
		Figures figures = new Figures(null, null, null, null, null, null, this.alerts.staleAfter(), null, null, null,
				fetchedAt, (error != null) ? error.code() : null, (error != null) ? error.message() : null,
				(error != null) ? error.upstreamStatus() : null, null);
		if (fetchedAt == null) {
			// No figures at all (never fetched, or dropped after max-stale): the error conditions speak.
			return new Observation(key, Verdict.KEEP, account.unit(), figures, "", "");
		}
		Duration age = Duration.between(fetchedAt, now);
		boolean holds = account.stale() && age.compareTo(this.alerts.staleAfter()) > 0
				&& (error != null || this.keepWarmAll);
		return new Observation(key, holds ? Verdict.HOLDS : Verdict.CLEAR, account.unit(), figures,
				key.subject() + ": the figures are stale, fetched " + WHEN.format(fetchedAt) + " (" + duration(age)
						+ " ago)" + ((error != null) ? "; latest error " + error.code() + ": " + error.message() : "") + ".",
				key.subject() + ": the figures are current again (fetched " + WHEN.format(fetchedAt) + ").");
	}

	/**
	 * An account's (or a provider's account list's) error, by class: someone must act, or an
	 * outage to wait out. Holds once the same class has been seen for {@code error-after}.
	 */
	private void errors(String provider, @Nullable String account, String unit, @Nullable AccountError error,
			boolean known, Instant now, List<Observation> observations) {
		EventType failing = (error == null || error.code() == ErrorCode.PENDING) ? null : type(error.code());
		for (EventType type : List.of(EventType.ACCOUNT_ACTION_REQUIRED, EventType.UPSTREAM_OUTAGE)) {
			ConditionKey key = new ConditionKey(type, provider, account);
			String what = (account != null) ? key.subject() : provider + ": the account list";
			Verdict verdict;
			Instant since = null;
			if (!known || (error != null && error.code() == ErrorCode.PENDING)) {
				// Not read yet, or a fetch is running: says nothing about whether the last failure persists.
				verdict = Verdict.KEEP;
			}
			else if (type != failing) {
				this.store.cleared(key);
				verdict = Verdict.CLEAR;
			}
			else {
				since = this.store.holdingSince(key, now);
				boolean persisted = Duration.between(since, now).compareTo(this.alerts.errorAfter()) >= 0;
				verdict = persisted ? Verdict.HOLDS : Verdict.KEEP;
			}
			Figures figures = (error != null)
					? new Figures(null, null, null, null, null, null, this.alerts.errorAfter(), null, null, null, null,
							error.code(), error.message(), error.upstreamStatus(), since)
					: Figures.NONE;
			String firing = (error == null) ? ""
					: what + " cannot be read since " + WHEN.format((since != null) ? since : now)
							+ ((type == EventType.ACCOUNT_ACTION_REQUIRED) ? " and someone must act" : " (upstream outage)")
							+ ": " + error.code() + ": " + error.message();
			String resolved = (failing == null) ? what + " can be read again."
					: what + " no longer fails that way; now " + error.code() + ".";
			observations.add(new Observation(key, verdict, unit, figures, firing, resolved));
		}
	}

	/** Outages are waited out (throttled, unavailable); every other failure needs someone. */
	static EventType type(ErrorCode code) {
		FailureClass failureClass = code.failureClass();
		return (failureClass == FailureClass.UNAVAILABLE || failureClass == FailureClass.THROTTLED)
				? EventType.UPSTREAM_OUTAGE : EventType.ACCOUNT_ACTION_REQUIRED;
	}

	/** A date within the window holds; beyond the window stretched by the hysteresis is clear. */
	private Verdict window(Instant at, Instant now, Duration window) {
		if (at.isBefore(now.plus(window))) {
			return Verdict.HOLDS;
		}
		Duration stretched = Duration.ofMillis(Math.round(window.toMillis() * (1 + this.hysteresis)));
		return at.isAfter(now.plus(stretched)) ? Verdict.CLEAR : Verdict.KEEP;
	}

	static String amount(BigDecimal amount) {
		return Decimals.round(amount, 2).toPlainString();
	}

	/** {@code 14d}, {@code 1h 5m}, {@code 30s}. */
	static String duration(Duration duration) {
		long seconds = Math.max(0, duration.toSeconds());
		StringBuilder text = new StringBuilder();
		long days = seconds / 86_400;
		long hours = (seconds % 86_400) / 3600;
		long minutes = (seconds % 3600) / 60;
		if (days > 0) {
			text.append(days).append("d ");
		}
		if (hours > 0) {
			text.append(hours).append("h ");
		}
		if (minutes > 0) {
			text.append(minutes).append("m ");
		}
		if (text.isEmpty()) {
			text.append(seconds).append("s ");
		}
		return text.toString().strip();
	}

}
