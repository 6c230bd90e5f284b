package dev.klingbalances.forecast;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import dev.klingbalances.model.Grant;
import dev.klingbalances.model.GrantStatus;
import dev.klingbalances.model.Grants;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConsumptionTest {

	private static final Instant BEFORE = Instant.parse("2026-11-01T00:00:00Z");

	private static final Instant AFTER = Instant.parse("2026-11-02T00:00:00Z");

	@Test
	void decreasesOfActiveGrantsAreConsumption() {
		assertThat(Consumption.consumed(List.of(grant("a", GrantStatus.ACTIVE, 100), grant("b", GrantStatus.ACTIVE, 50)), BEFORE,
				List.of(grant("a", GrantStatus.ACTIVE, 70), grant("b", GrantStatus.EXHAUSTED, 0)), AFTER).get("video"))
			.isEqualByComparingTo("80");
	}

	@Test
	void topUpsNewGrantsAndExpiryAreNotConsumption() {
		assertThat(Consumption.consumed(List.of(grant("a", GrantStatus.ACTIVE, 100), grant("b", GrantStatus.ACTIVE, 50)), BEFORE,
				List.of(grant("a", GrantStatus.ACTIVE, 150), grant("b", GrantStatus.EXPIRED, 0),
						grant("c", GrantStatus.ACTIVE, 10)),
				AFTER).get("video"))
			.isEqualByComparingTo("0");
	}

	@Test
	void aGrantWhoseExpiryPassedInBetweenIsNotConsumedEvenIfTheUpstreamStillSaysActive() {
		Grant expiring = new Grant("a", "a", "video", null, GrantStatus.ACTIVE, null, BigDecimal.TEN, BigDecimal.TEN, null,
				Instant.parse("2026-11-01T12:00:00Z"));
		Grant zeroed = new Grant("a", "a", "video", null, GrantStatus.ACTIVE, null, BigDecimal.TEN, BigDecimal.ZERO, null,
				Instant.parse("2026-11-01T12:00:00Z"));
		assertThat(Consumption.consumed(List.of(expiring), BEFORE, List.of(zeroed), AFTER).get("video")).isEqualByComparingTo("0");
		assertThat(Grants.asOf(List.of(expiring), AFTER)).extracting(Grant::status).containsExactly(GrantStatus.EXPIRED);
	}

	@Test
	void grantsWithoutIdsAreMatchedByWhatDescribesThem() {
		Grant before = new Grant(null, "plan", "video", "plan", GrantStatus.ACTIVE, null, BigDecimal.TEN, BigDecimal.TEN, BEFORE,
				null);
		Grant after = new Grant(null, "plan", "video", "plan", GrantStatus.ACTIVE, null, BigDecimal.TEN, new BigDecimal("4"),
				BEFORE, null);
		Grant other = new Grant(null, "plan", "video", "plan", GrantStatus.ACTIVE, null, BigDecimal.ONE, BigDecimal.ONE, AFTER,
				null);
		assertThat(Consumption.consumed(List.of(before), BEFORE, List.of(after, other), AFTER).get("video")).isEqualByComparingTo("6");
	}

	@Test
	void unknownQuantitiesSumToUnknownNeverToZero() {
		Grant unknown = new Grant("a", "a", "video", null, GrantStatus.ACTIVE, null, null, null, null, null);
		assertThat(Grants.remaining(List.of(grant("b", GrantStatus.ACTIVE, 5), unknown))).isNull();
		assertThat(Grants.remaining(List.of())).isEqualByComparingTo("0");
	}

	@Test
	void consumptionIsPerProductAndEveryProductOfTheLaterSnapshotIsListed() {
		Grant video = grant("v", GrantStatus.ACTIVE, 100);
		Grant image = new Grant("i", "i", "image", null, GrantStatus.ACTIVE, null, BigDecimal.valueOf(50),
				BigDecimal.valueOf(50), null, null);
		Grant imageUsed = new Grant("i", "i", "image", null, GrantStatus.ACTIVE, null, BigDecimal.valueOf(50),
				BigDecimal.valueOf(20), null, null);
		Grant other = new Grant("o", "o", "other", null, GrantStatus.PENDING, null, BigDecimal.ONE, BigDecimal.ONE, null,
				null);
		assertThat(Consumption.consumed(List.of(video, image), BEFORE, List.of(grant("v", GrantStatus.ACTIVE, 90), imageUsed,
				other), AFTER))
			.containsOnlyKeys("image", "other", "video")
			.hasEntrySatisfying("video", (used) -> assertThat(used).isEqualByComparingTo("10"))
			.hasEntrySatisfying("image", (used) -> assertThat(used).isEqualByComparingTo("30"))
			.hasEntrySatisfying("other", (used) -> assertThat(used).isEqualByComparingTo("0"));
	}

	private static Grant grant(String id, GrantStatus status, int remaining) {
		return new Grant(id, id, "video", null, status, null, BigDecimal.valueOf(200), BigDecimal.valueOf(remaining), null, null);
	}

}
