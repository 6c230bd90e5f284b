package dev.klingbalances.balance;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

/** Rules about grants that the answer, the history and the forecast share. */
final class Grants {

	private Grants() {
	}

	/**
	 * The grants as they stand at {@code now}: an ACTIVE grant whose {@code expiresAt} has passed
	 * (after the snapshot was fetched) is EXPIRED and no longer counted. Everything else is as
	 * the upstream reported it.
	 */
	static List<Grant> asOf(List<Grant> grants, Instant now) {
		if (grants.stream().noneMatch((grant) -> hasExpired(grant, now))) {
			return grants;
		}
		List<Grant> current = new ArrayList<>(grants.size());
		for (Grant grant : grants) {
			current.add(hasExpired(grant, now) ? grant.withStatus(GrantStatus.EXPIRED) : grant);
		}
		return List.copyOf(current);
	}

	private static boolean hasExpired(Grant grant, Instant now) {
		return grant.status() == GrantStatus.ACTIVE && grant.expiresAt() != null && !now.isBefore(grant.expiresAt());
	}

	static List<Grant> active(List<Grant> grants) {
		return grants.stream().filter((grant) -> grant.status() == GrantStatus.ACTIVE).toList();
	}

	/** Sum of the active grants' remaining; null when any is unknown: an unknown never counts as zero. */
	static @Nullable BigDecimal remaining(List<Grant> active) {
		return sum(active.stream().map(Grant::remaining).toList());
	}

	/** Sum of the active grants' total; null when any is unknown. */
	static @Nullable BigDecimal total(List<Grant> active) {
		return sum(active.stream().map(Grant::total).toList());
	}

	private static @Nullable BigDecimal sum(List<@Nullable BigDecimal> quantities) {
		BigDecimal sum = BigDecimal.ZERO;
		for (BigDecimal quantity : quantities) {
			if (quantity == null) {
				return null;
			}
			sum = sum.add(quantity);
		}
		return sum;
	}

	/**
	 * The products an account holds, sorted: those of its grants that have not expired (active,
	 * used up, pending or of an unknown status). Kling lists expired packs for a long lookback;
	 * an image pack that expired months ago does not make a video account hold images.
	 */
	static List<String> products(List<Grant> grants) {
		return grants.stream()
			.filter((grant) -> grant.status() != GrantStatus.EXPIRED)
			.map(Grant::product)
			.distinct()
			.sorted()
			.toList();
	}

	/** The grants of one product. */
	static List<Grant> of(List<Grant> grants, String product) {
		return grants.stream().filter((grant) -> grant.product().equals(product)).toList();
	}

	/** Each product's figures (sums of its active grants), sorted by product. */
	static List<HistorySample.ProductFigures> figures(List<Grant> grants) {
		List<HistorySample.ProductFigures> figures = new ArrayList<>();
		for (String product : products(grants)) {
			List<Grant> active = active(of(grants, product));
			figures.add(new HistorySample.ProductFigures(product, remaining(active), total(active)));
		}
		return List.copyOf(figures);
	}

	/**
	 * What was used of each product between two snapshots: the decreases of grants that were
	 * active in the first and are active or used up in the second. An increase (a top-up), a new
	 * grant, or a grant that expired or vanished in between is not consumption. Every product of
	 * the second snapshot is in the answer (zero when nothing of it was used).
	 */
	static Map<String, BigDecimal> consumed(List<Grant> before, Instant beforeAt, List<Grant> after, Instant afterAt) {
		List<Grant> earlier = asOf(before, beforeAt);
		Map<String, BigDecimal> consumed = new TreeMap<>();
		for (Grant grant : asOf(after, afterAt)) {
			consumed.putIfAbsent(grant.product(), BigDecimal.ZERO);
			if (grant.status() != GrantStatus.ACTIVE && grant.status() != GrantStatus.EXHAUSTED) {
				continue;
			}
			Grant previous = earlier.stream().filter((candidate) -> sameGrant(candidate, grant)).findFirst().orElse(null);
			if (previous == null || previous.status() != GrantStatus.ACTIVE || previous.remaining() == null
					|| grant.remaining() == null) {
				continue;
			}
			BigDecimal used = previous.remaining().subtract(grant.remaining());
			if (used.signum() > 0) {
				consumed.merge(grant.product(), used, BigDecimal::add);
			}
		}
		return consumed;
	}

	/** Nothing used of any product the grants are of: the first sample of a series. */
	static Map<String, BigDecimal> nothingConsumed(List<Grant> grants) {
		Map<String, BigDecimal> consumed = new TreeMap<>();
		grants.forEach((grant) -> consumed.put(grant.product(), BigDecimal.ZERO));
		return consumed;
	}

	/** The same grant in two snapshots: by upstream id, or by everything that describes it when there is none. */
	static boolean sameGrant(Grant a, Grant b) {
		if (a.id() != null || b.id() != null) {
			return Objects.equals(a.id(), b.id());
		}
		return Objects.equals(a.name(), b.name()) && Objects.equals(a.type(), b.type())
				&& Objects.equals(a.startsAt(), b.startsAt()) && Objects.equals(a.expiresAt(), b.expiresAt())
				&& (a.total() == null ? b.total() == null : b.total() != null && a.total().compareTo(b.total()) == 0);
	}

}
