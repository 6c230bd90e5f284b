package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import dev.klingbalances.model.AccountBalance;
import dev.klingbalances.model.BalancesResponse;
import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.model.NextAccount;
import dev.klingbalances.model.ProductBalance;
import dev.klingbalances.provider.BalanceSnapshot;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Which account a job of one product should go to next, from an assembled answer alone (it
 * never fetches): accounts that cannot take the job are left out with the reason; the rest are
 * ranked so that capacity that expires first is used first (nothing lapses unused while another
 * account is drawn down), then by what is left, then by name.
 */
final class AccountPicker {

	/** The ranking: earliest expiry of the grant drawn from (none last), more capacity, name. */
	private static final Comparator<Ranked> RANKING = Comparator
		.comparing((Ranked ranked) -> ranked.drawsFrom().expiresAt(), Comparator.nullsLast(Comparator.naturalOrder()))
		.thenComparing(Ranked::capacity, Comparator.reverseOrder())
		.thenComparing((Ranked ranked) -> ranked.account().provider())
		.thenComparing((Ranked ranked) -> ranked.account().account());

	private AccountPicker() {
	}

	/**
	 * @param response the answer of the accounts that may hold the product
	 * @param now the moment the answer describes (its figures' age is judged at it)
	 * @param cacheableUntil how long a client may keep the answer (as the answer it comes from)
	 * @return the pick (its answer null when no account can take the job) with every candidate
	 */
	static Pick pick(BalancesResponse response, String product, BigDecimal need, Instant now,
			@Nullable Instant cacheableUntil, JsonMapper jsonMapper) {
		List<Ranked> ranked = new ArrayList<>();
		List<NextAccount.Candidate> excluded = new ArrayList<>();
		for (AccountBalance account : response.accounts()) {
			ProductBalance figures = account.product(product);
			BigDecimal remaining = (figures != null) ? figures.remaining() : null;
			BigDecimal estimate = (figures != null) ? figures.estimatedRemaining() : null;
			NextAccount.DrawsFrom drawsFrom = drawsFrom(account, product);
			BigDecimal capacity = (estimate != null) ? estimate : remaining;
			Exclusion exclusion = exclusion(account, product, remaining, estimate, need, now);
			if (exclusion != null || drawsFrom == null) {
				Exclusion reason = (exclusion != null) ? exclusion
						: new Exclusion(NextAccount.Exclusion.BELOW_NEED, "It holds no ACTIVE " + product + " grant with capacity.");
				excluded.add(new NextAccount.Candidate(account.provider(), account.account(), null, reason.code(), remaining,
						estimate, drawsFrom, reason.reason()));
			}
			else {
				ranked.add(new Ranked(account, remaining, estimate, capacity, drawsFrom));
			}
		}
		ranked.sort(RANKING);
		List<NextAccount.Candidate> candidates = new ArrayList<>();
		for (int i = 0; i < ranked.size(); i++) {
			Ranked one = ranked.get(i);
			String reason = (i == 0) ? firstReason(ranked, product) : reasonAfter(one, ranked.get(i - 1), product);
			candidates.add(new NextAccount.Candidate(one.account().provider(), one.account().account(), i + 1, null,
					one.remaining(), one.estimate(), one.drawsFrom(), reason));
		}
		candidates.addAll(excluded);
		if (ranked.isEmpty()) {
			return new Pick(null, candidates, "No account has at least " + need.toPlainString() + " " + product
					+ " left and can take a job now (" + response.accounts().size()
					+ " considered); the candidates say why each was left out.");
		}
		Ranked first = ranked.get(0);
		String reason = candidates.get(0).reason() + " Chosen among " + ranked.size() + " account"
				+ ((ranked.size() == 1) ? "" : "s") + " with at least " + need.toPlainString() + " " + product
				+ " left.";
		NextAccount answer = new NextAccount(first.account().provider(), first.account().account(), product,
				first.account().unit(), need, first.remaining(), first.estimate(), first.drawsFrom(), reason, candidates);
		return new Pick(PreparedJson.of(answer, cacheableUntil, jsonMapper), candidates, reason);
	}

	private static @Nullable Exclusion exclusion(AccountBalance account, String product, @Nullable BigDecimal remaining,
			@Nullable BigDecimal estimate, BigDecimal need, Instant now) {
		BigDecimal capacity = (estimate != null) ? estimate : remaining;
		if (account.error() != null) {
			return new Exclusion(NextAccount.Exclusion.ERROR,
					"Its latest fetch failed or is still running (" + account.error().code() + ").");
		}
		if (account.fetchedAt() == null || remaining == null || capacity == null) {
			return new Exclusion(NextAccount.Exclusion.NO_FIGURES, "No figure of its " + product + " capacity is known.");
		}
		Duration delay = (account.dataDelay() != null) ? account.dataDelay() : Duration.ZERO;
		if (account.freshUntil() == null || !now.isBefore(account.freshUntil().plus(delay))) {
			return new Exclusion(NextAccount.Exclusion.OUTDATED, "Its figures were fetched at " + account.fetchedAt()
					+ ", longer ago than the data delay (" + delay + ") plus the cache TTL.");
		}
		if (noJobSlot(account)) {
			return new Exclusion(NextAccount.Exclusion.NO_JOB_SLOT, "The provider reports no free job slot on it.");
		}
		if (capacity.compareTo(need) < 0) {
			return new Exclusion(NextAccount.Exclusion.BELOW_NEED, "Only " + capacity.toPlainString() + " " + product
					+ " left" + ((estimate != null) ? " (estimated)" : "") + ", less than the " + need.toPlainString()
					+ " needed.");
		}
		return null;
	}

	/** A free-slot count of 0, or a job limit of 0, where the provider reports one. */
	private static boolean noJobSlot(AccountBalance account) {
		return (account.details().get(BalanceSnapshot.FREE_JOB_SLOTS) instanceof Number free && free.longValue() <= 0)
				|| (account.details().get(BalanceSnapshot.MAX_JOBS) instanceof Number max && max.longValue() <= 0);
	}

	/** The account's ACTIVE grant of the product with capacity that expires first (never-expiring last). */
	private static NextAccount.@Nullable DrawsFrom drawsFrom(AccountBalance account, String product) {
		return account.grants()
			.stream()
			.filter((grant) -> grant.status() == GrantStatus.ACTIVE && product.equals(grant.product())
					&& grant.remaining() != null && grant.remaining().signum() > 0)
			.min(Comparator.comparing(Grant::expiresAt, Comparator.nullsLast(Comparator.naturalOrder())))
			.map((grant) -> new NextAccount.DrawsFrom(grant.id(), grant.name(), grant.expiresAt()))
			.orElse(null);
	}

	private static String firstReason(List<Ranked> ranked, String product) {
		Ranked first = ranked.get(0);
		if (ranked.size() == 1) {
			return "The only account that can take the job.";
		}
		Ranked second = ranked.get(1);
		if (!Objects.equals(first.drawsFrom().expiresAt(), second.drawsFrom().expiresAt())) {
			return "Its " + product + " capacity expires first (" + first.drawsFrom().expiresAt() + ").";
		}
		if (first.capacity().compareTo(second.capacity()) != 0) {
			return "Its " + product + " capacity expires " + expiry(first) + ", like the next one's, and it has the most left ("
					+ first.capacity().toPlainString() + ").";
		}
		return "Tied with the next on expiry and capacity; first by name.";
	}

	private static String reasonAfter(Ranked one, Ranked before, String product) {
		String previous = before.account().provider() + "/" + before.account().account();
		if (!Objects.equals(one.drawsFrom().expiresAt(), before.drawsFrom().expiresAt())) {
			return "Its " + product + " capacity expires " + expiry(one) + ", after " + previous + "'s.";
		}
		if (one.capacity().compareTo(before.capacity()) != 0) {
			return "Expires like " + previous + "'s but less is left (" + one.capacity().toPlainString() + ").";
		}
		return "Tied with " + previous + " on expiry and capacity; after it by name.";
	}

	private static String expiry(Ranked ranked) {
		Instant expiresAt = ranked.drawsFrom().expiresAt();
		return (expiresAt != null) ? "at " + expiresAt : "never";
	}

	/**
	 * @param answer the account to use, serialized; null when none can take the job
	 * @param candidates every account with its rank or exclusion
	 * @param detail the reason (or why there is none), for humans
	 */
	record Pick(@Nullable PreparedJson<NextAccount> answer, List<NextAccount.Candidate> candidates, String detail) {
	}

	private record Exclusion(NextAccount.Exclusion code, String reason) {
	}

	private record Ranked(AccountBalance account, BigDecimal remaining, @Nullable BigDecimal estimate,
			BigDecimal capacity, NextAccount.DrawsFrom drawsFrom) {
	}

}
