package dev.klingbalances.model;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/** Rules about grants that the answer, the history and the forecast share. */
public final class Grants {

	private Grants() {
	}

	/**
	 * The grants as they stand at {@code now}: an ACTIVE grant whose {@code expiresAt} has passed
	 * (after the snapshot was fetched) is EXPIRED and no longer counted. Everything else is as
	 * the upstream reported it.
	 */
	public static List<Grant> asOf(List<Grant> grants, Instant now) {
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

	public static List<Grant> active(List<Grant> grants) {
		return grants.stream().filter((grant) -> grant.status() == GrantStatus.ACTIVE).toList();
	}

	/** Sum of the active grants' remaining; null when any is unknown: an unknown never counts as zero. */
	public static @Nullable BigDecimal remaining(List<Grant> active) {
		return sum(active.stream().map(Grant::remaining).toList());
	}

	/** Sum of the active grants' total; null when any is unknown. */
	public static @Nullable BigDecimal total(List<Grant> active) {
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
	public static List<String> products(List<Grant> grants) {
		return grants.stream()
			.filter((grant) -> grant.status() != GrantStatus.EXPIRED)
			.map(Grant::product)
			.distinct()
			.sorted()
			.toList();
	}

	/** The grants of one product. */
	public static List<Grant> of(List<Grant> grants, String product) {
		return grants.stream().filter((grant) -> grant.product().equals(product)).toList();
	}

}
