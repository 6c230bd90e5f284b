package dev.klingbalances.forecast;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.model.Grants;

/**
 * What a series of snapshots says was used: the per-product figures of one snapshot and the
 * consumption between two, which the history records and the forecast is fitted to.
 */
final class Consumption {

	private Consumption() {
	}

	/** Each product's figures (sums of its active grants), sorted by product. */
	static List<HistorySample.ProductFigures> figures(List<Grant> grants) {
		List<HistorySample.ProductFigures> figures = new ArrayList<>();
		for (String product : Grants.products(grants)) {
			List<Grant> active = Grants.active(Grants.of(grants, product));
			figures.add(new HistorySample.ProductFigures(product, Grants.remaining(active), Grants.total(active)));
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
		List<Grant> earlier = Grants.asOf(before, beforeAt);
		Map<String, BigDecimal> consumed = new TreeMap<>();
		for (Grant grant : Grants.asOf(after, afterAt)) {
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
